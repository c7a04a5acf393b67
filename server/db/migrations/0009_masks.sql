-- Privacy masks (issue #16). A camera's masks are versioned: a version is never edited, a change is the next
-- version, in force from valid_from. Footage is exported with the versions in force when it was recorded, so the
-- history is kept as long as the camera (and its recordings) are.
create table camera_mask_versions (
  camera_id     text not null references cameras(id),
  version       integer not null check (version >= 1),
  masks         jsonb not null check (jsonb_typeof(masks) = 'array'),   -- PrivacyMask[] (server/masks/schema.ts)
  valid_from    timestamptz not null,
  changed_by    uuid references users(id),
  change_reason text not null check (char_length(change_reason) between 1 and 500),
  primary key (camera_id, version)
);
create index camera_mask_versions_time on camera_mask_versions(camera_id, valid_from);

-- A supervisor's lift of liftable masks for a limited time. It ends by itself at `until`; ended_at when ended early.
create table camera_mask_lifts (
  id         uuid primary key default gen_random_uuid(),
  camera_id  text not null references cameras(id),
  version    integer not null,                 -- the mask version whose masks were lifted
  mask_ids   text[] not null check (cardinality(mask_ids) >= 1),
  reason     text not null check (char_length(reason) between 1 and 500),
  lifted_by  uuid not null references users(id),
  lifted_at  timestamptz not null,
  until      timestamptz not null,
  ended_at   timestamptz,
  ended_by   uuid references users(id),
  constraint camera_mask_lifts_until check (until > lifted_at),
  foreign key (camera_id, version) references camera_mask_versions(camera_id, version)
);
create index camera_mask_lifts_open on camera_mask_lifts(camera_id, until) where ended_at is null;

-- What was burned into each evidence clip (AppliedMasks: versions, burned-in ids) and, when the footage had
-- liftable masks, a second file with only the permanent masks burned in: the source of an export ordered with
-- liftable masks lifted (never played or served as it is).
alter table evidence_clips add column masks jsonb;
alter table evidence_clips add column liftable_file text;

-- An export ordered with masks lifted (police or supervisor, with a reason): named in the signed manifest.
alter table evidence_links add column mask_lift jsonb;

-- The mask version burned into an incident snapshot (null: taken before masks existed, or the camera had none).
alter table snapshots add column mask_version integer;
