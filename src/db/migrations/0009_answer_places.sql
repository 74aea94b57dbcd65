-- Where a question was asked, for who may see it again: an @mention's answer is posted in its channel (channel_id)
-- and visible to that channel's members; in_public is set only when that channel is a public one, the only questions
-- a digest may quote. DMs, slash-command and did-you-mean answers keep both unset: they belong to their asker alone.
alter table answers add column channel_id text;
alter table answers add column in_public boolean not null default false;
create index answers_public on answers (created_at) where in_public;

-- Whose vote moves an answer at once: the asker's own or a catalog keeper's (trusted); anyone else's counts only
-- once enough different people voted the same way (see src/feedback/votes.ts).
alter table answer_votes add column trusted boolean not null default false;
