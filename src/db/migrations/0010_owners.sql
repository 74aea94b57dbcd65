-- Owners of duties, per workspace: who on this team carries each duty of the role, and who backs them up.
-- One row per (workspace, duty); `version` goes up by one at every save, so two people editing the same duty at once
-- cannot silently overwrite each other (a save names the version it started from). Every change is also written to
-- change_log (area 'owners') in the same transaction.
create table duty_owners (
  team_id text not null,
  duty_id text not null,
  -- Slack user ids, in the order they were given.
  owners text[] not null default '{}',
  backups text[] not null default '{}',
  -- Optionally a Slack user group (S…), as an owner or a backup, with its handle as last seen (for display).
  usergroup_id text,
  usergroup_name text,
  usergroup_kind text check (usergroup_kind in ('owner', 'backup')),
  version int not null default 0,
  updated_by text,
  updated_at timestamptz,
  primary key (team_id, duty_id)
);
