-- What the search engine holds in memory per process (synonyms, outside topics, multi-word phrases, the typo-repair
-- lexicon, corpus statistics), as one JSON document read in one short query instead of rebuilt from six: a CLI `ask`
-- starts a quarter of a second sooner on the embedded database. Written by whichever process first finds it missing
-- or stale; `version` is the catalog version it was read at and `format` the query that read it, so a new catalog or a
-- new build never reads an old one.
create table vocabulary_snapshot (
  id int primary key check (id = 1),
  format text not null,
  version text not null,
  body text not null,
  made_at timestamptz not null default now()
);
