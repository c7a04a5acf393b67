-- Recordings and evidence: the index of continuously recorded segments (purged after RETENTION_DAYS, Gemeentewet
-- 151c), preserved evidence items with a clip per camera, their custody trail, and short-lived download links.

-- One closed MPEG-TS segment of a camera's main stream. A recorder run is one ffmpeg process: within a run the
-- stream timestamps are continuous, so segments of one run can be joined byte by byte.
create table recording_segments (
  id         bigint generated always as identity primary key,
  camera_id  text not null references cameras(id),
  run_id     uuid not null,
  seq        integer not null,
  started_at timestamptz not null,
  ended_at   timestamptz not null,
  bytes      bigint not null check (bytes >= 0),
  path       text not null unique,               -- relative to MEDIA_DIR; never taken from a user
  constraint recording_segments_time check (ended_at > started_at),
  unique (run_id, seq)
);
create index recording_segments_camera_time on recording_segments(camera_id, started_at);
-- Retention and the disk guard walk segments oldest first.
create index recording_segments_ended on recording_segments(ended_at);

create table evidence_items (
  id              uuid primary key default gen_random_uuid(),
  number          bigint generated always as identity unique,   -- what people say: "bewijsstuk 17"
  requested_from  timestamptz not null,
  requested_to    timestamptz not null,
  reason          text not null check (char_length(reason) between 3 and 2000),
  incident_id     uuid references incidents(id),
  created_by      uuid not null references users(id),
  created_at      timestamptz not null default now(),
  -- Legal hold: while true, the recordings in the range and the clips are exempt from retention.
  legal_hold      boolean not null default true,
  released_at     timestamptz,
  released_by     uuid references users(id),
  release_reason  text,
  purged_at       timestamptz,                                  -- clips deleted by retention after release
  version         integer not null default 1,
  constraint evidence_items_range check (requested_to > requested_from),
  constraint evidence_items_release check (legal_hold = (released_at is null))
);
create index evidence_items_created on evidence_items(created_at desc);
create index evidence_items_range on evidence_items(requested_from, requested_to);
create index evidence_items_incident on evidence_items(incident_id);

-- One clip per camera of an item. waiting: the post-roll is not yet recorded; producing: ffmpeg runs (a start
-- finds such a clip interrupted and produces it again); ready: file, hash and probe are final; failed: error says why.
create table evidence_clips (
  id           uuid primary key default gen_random_uuid(),
  item_id      uuid not null references evidence_items(id),
  camera_id    text not null references cameras(id),
  position     smallint not null,
  state        text not null default 'waiting' check (state in ('waiting','producing','ready','failed','purged')),
  attempts     integer not null default 0,
  error        text,
  file         text,                                  -- relative to MEDIA_DIR
  bytes        bigint,
  sha256       text check (sha256 ~ '^[0-9a-f]{64}$'),
  actual_from  timestamptz,
  actual_to    timestamptz,
  duration_ms  integer,
  frames       integer,
  width        integer,
  height       integer,
  codec        text,
  gaps         jsonb not null default '[]',           -- recording gaps inside the requested range
  segments     integer,
  produced_at  timestamptz,
  unique (item_id, camera_id),
  constraint evidence_clips_ready check ((state = 'ready') = (file is not null and sha256 is not null))
);
create index evidence_clips_camera on evidence_clips(camera_id);
create index evidence_clips_open on evidence_clips(state) where state in ('waiting','producing');

-- The custody trail of an item: preserved, produced, every view and download (with case number and legal basis),
-- release. Append-only, like the audit trail it mirrors.
create table evidence_custody (
  id           bigint generated always as identity primary key,
  item_id      uuid not null references evidence_items(id),
  at           timestamptz not null default now(),
  actor_id     uuid references users(id),
  actor_name   text,
  actor_role   text,
  action       text not null,
  case_number  text,
  legal_basis  text,
  details      jsonb not null default '{}',
  remote_addr  text
);
create index evidence_custody_item on evidence_custody(item_id, id);
create index evidence_custody_case on evidence_custody(case_number) where case_number is not null;

create function evidence_custody_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'evidence_custody is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end $$;
create trigger evidence_custody_append_only before update or delete on evidence_custody
  for each row execute function evidence_custody_append_only();

-- A download or playback link: bound to one user, expires (EVIDENCE_LINK_MINUTES), carries the purpose given.
-- Only the SHA-256 of the token is stored.
create table evidence_links (
  token_hash   text primary key,
  item_id      uuid not null references evidence_items(id),
  kind         text not null check (kind in ('clip','package')),
  camera_id    text references cameras(id),
  user_id      uuid not null references users(id),
  case_number  text,
  legal_basis  text,
  note         text,
  created_at   timestamptz not null default now(),
  expires_at   timestamptz not null,
  first_used_at timestamptz
);
create index evidence_links_expiry on evidence_links(expires_at);

-- Playback of recordings in the console: logged like a live view (Wpg: every consultation), plus the audit chain.
create table recording_views (
  id          uuid primary key default gen_random_uuid(),
  user_id     uuid not null references users(id),
  camera_id   text not null references cameras(id),
  range_from  timestamptz not null,
  range_to    timestamptz not null,
  started_at  timestamptz not null default now(),
  ended_at    timestamptz,
  remote_addr text
);
create index recording_views_user on recording_views(user_id, started_at desc);
create index recording_views_camera on recording_views(camera_id, started_at desc);
