-- Several room nodes on one PostgreSQL (issue #14; design in server/cluster/README.md). PostgreSQL is the
-- coordinator: its clock sets every lease, so the nodes' clocks never matter.

-- Each node's heartbeat lease. instance: the running process (a restarted node is a new instance with the same id).
create table nodes (
  id            text primary key check (id ~ '^[a-z0-9-]{1,40}$'),
  instance      uuid not null,
  host          text not null,            -- the machine and process of the instance: a restart on the same machine
  pid           integer not null,         -- after a crash sees its predecessor is gone and need not wait out its lease
  api_url       text not null,
  media_host    text,                     -- null: reached under the console's own host name
  rtmp_port     integer not null,
  flv_ports     integer[] not null,
  started_at    timestamptz not null default now(),
  heartbeat_at  timestamptz not null default now(),
  expires_at    timestamptz not null,
  down_noted_at timestamptz               -- set once by the node that noticed this one down (it announces its cameras offline)
);

-- Jobs that run once in the cluster: one row per job, held by one node's running instance until it expires.
create table leases (
  name       text primary key,
  holder     uuid not null,
  node_id    text not null,
  expires_at timestamptz not null,
  since      timestamptz not null default now()
);

-- Which node holds a camera: pulls it (RTSP) or accepts its push (RTMP). Valid while that node's lease is.
create table camera_owners (
  camera_id text primary key references cameras(id) on delete cascade,
  node_id   text not null,
  since     timestamptz not null default now()
);
create index camera_owners_node on camera_owners(node_id);

-- A change of owner is a change of the camera's publish rules: the registries of all nodes re-read it.
create function notify_camera_owner_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('camera_changed', coalesce(new.camera_id, old.camera_id));
  return null;
end $$;
create trigger camera_owners_notify after insert or update or delete on camera_owners
  for each row execute function notify_camera_owner_changed();

-- Keys every node shares (play tokens are signed on one node and checked on another). Created once, at first start.
create table room_keys (
  name       text primary key,
  secret     bytea not null,
  created_at timestamptz not null default now()
);

-- Segments are written to the MEDIA_DIR of the node that recorded them; null: before nodes existed (the one node).
alter table recording_segments add column node_id text;
alter table evidence_clips add column node_id text;

-- The socket.io PostgreSQL adapter's table for payloads too large for a notification (its own documented schema).
create table socket_io_attachments (
  id         bigserial unique,
  created_at timestamptz default now(),
  payload    bytea
);
