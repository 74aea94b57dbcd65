-- Optional LLM summaries (src/summarize): the cache, the shared call counters and the provider circuit.
-- Counters and circuit live here rather than in each process because several web processes
-- serve the same workspace: a cap or an open circuit must hold for all of them.

-- One row per (normalised question, entry ids and texts, model, prompt version), hashed into cache_key.
-- `summary` is checked plain text; it is escaped again every time it is shown.
create table summary_cache (
  cache_key text primary key,
  question text not null,
  entry_ids text[] not null,
  model text not null,
  prompt_version int not null,
  summary text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index summary_cache_expires on summary_cache (expires_at);

-- Fixed one-minute windows: scope is 'global' or 'user:<hash>', window is the epoch minute.
create table llm_call_windows (
  scope text not null,
  window_minute bigint not null,
  calls int not null,
  primary key (scope, window_minute)
);

-- When the provider refused the key (401) or the quota is spent (429 insufficient_quota),
-- nobody calls it again until open_until.
create table llm_circuit (
  provider text primary key,
  open_until timestamptz not null,
  reason text not null,
  opened_at timestamptz not null default now()
);
