-- Typo repair moved into the engine (edit distance over the catalog's words in memory): the
-- trigram index on lexicon has no reader left.
drop index if exists lexicon_trgm;
