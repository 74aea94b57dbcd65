-- The role catalog and the search index the matching engine reads.
-- (This migration created the pg_trgm extension and a trigram index on lexicon until typo repair moved into the engine,
-- see 0005: a new database no longer needs the extension, and an older one keeps it unused.)

create table roles (
  id text primary key,
  name text not null
);

create table sections (
  role_id text not null references roles (id),
  number int not null,
  title text not null,
  primary key (role_id, number)
);

create table duties (
  id text primary key,
  role_id text not null references roles (id),
  section int not null,
  position int not null,
  title text not null,
  description text not null,
  aliases text[] not null default '{}',
  retired_at timestamptz,
  updated_at timestamptz not null default now(),
  foreign key (role_id, section) references sections (role_id, number)
);
create index duties_active_order on duties (role_id, section, position) where retired_at is null;

-- Inverted index for BM25: one row per (lexeme, duty) with the field-weighted term frequency.
-- doc_len is repeated on each row so scoring never has to join the duties table.
create table duty_terms (
  lexeme text not null,
  duty_id text not null references duties (id) on delete cascade,
  tf real not null,
  doc_len real not null,
  primary key (lexeme, duty_id) include (tf, doc_len)
);
create index duty_terms_duty on duty_terms (duty_id);

-- Titles and aliases as lexeme sets: a question that contains a whole phrase earns a bonus.
create table duty_phrases (
  duty_id text not null references duties (id) on delete cascade,
  kind text not null check (kind in ('title', 'alias')),
  phrase text not null,
  lexemes text[] not null
);
create index duty_phrases_duty on duty_phrases (duty_id);

create table term_stats (
  lexeme text primary key,
  df int not null,
  idf double precision not null
);

create table corpus_stats (
  id int primary key check (id = 1),
  docs int not null,
  avg_len double precision not null
);

-- Surface words of the catalog, for repairing typos in questions.
create table lexicon (
  word text primary key
);

-- General vocabulary of the field: a question containing `term` also searches for `means`.
create table synonyms (
  term text primary key,
  means text not null
);

create table catalog_state (
  role_id text primary key references roles (id),
  content_hash text not null,
  synced_at timestamptz not null default now()
);
