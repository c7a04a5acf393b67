-- Incidents and dispatch: what observers tag, the alerts raised to the dispatch centre, and the outbox that
-- carries every alert change to the dispatch consoles and the external dispatch system without losing one.

-- A frame of a camera, grabbed from the live stream at the key press (or at save when the console did not ask).
create table snapshots (
  id           uuid primary key default gen_random_uuid(),
  camera_id    text not null references cameras(id),
  requested_by uuid not null references users(id),
  requested_at timestamptz not null default now(),
  taken_at     timestamptz,                        -- when the frame was read from the stream
  status       text not null check (status in ('pending','taken','no_stream','failed','purged')), -- purged: past RETENTION_DAYS
  file         text,                               -- relative to MEDIA_DIR
  bytes        integer,
  sha256       text,
  error        text,
  constraint snapshots_file check ((status = 'taken') = (file is not null))
);

create table incidents (
  id              uuid primary key default gen_random_uuid(),
  number          bigint generated always as identity unique,   -- what people say on the phone: "melding 1042"
  tagged_at       timestamptz not null,                          -- the observer's key press (client clock, checked)
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  created_by      uuid not null references users(id),
  category_id     text not null check (category_id ~ '^[a-z0-9-]{2,60}$'), -- config/incident-categories.json
  priority        smallint not null check (priority between 1 and 3),
  status          text not null default 'open' check (status in ('open','closed')),
  -- Location: copied from the first camera at tagging (a camera may move later), plus free text.
  municipality_id text not null references municipalities(id),
  street          text not null,
  lat             double precision not null,
  lon             double precision not null,
  location_text   text not null default '' check (char_length(location_text) <= 500),
  persons         text not null default '' check (char_length(persons) <= 2000),
  notes           text not null default '' check (char_length(notes) <= 10000),
  snapshot_id     uuid references snapshots(id),
  version         integer not null default 1
);
create index incidents_status on incidents(status, tagged_at desc);
create index incidents_tagged on incidents(tagged_at desc);

create table incident_cameras (
  incident_id uuid not null references incidents(id) on delete cascade,
  camera_id   text not null references cameras(id),
  position    smallint not null,
  primary key (incident_id, camera_id)
);
create index incident_cameras_camera on incident_cameras(camera_id);

-- The incident's timeline: every change, who (null = the system), when, what.
create table incident_events (
  id          bigint generated always as identity primary key,
  incident_id uuid not null references incidents(id) on delete cascade,
  at          timestamptz not null default now(),
  actor_id    uuid references users(id),
  actor_name  text,
  kind        text not null,
  details     jsonb not null default '{}'
);
create index incident_events_incident on incident_events(incident_id, id);

-- An incident raised to the dispatch centre. Steps only move forward; every step is a conditional UPDATE on
-- the current status, so of two dispatchers acting at once the first wins and the second is told (409).
create table alerts (
  id              uuid primary key default gen_random_uuid(),
  incident_id     uuid not null references incidents(id),
  status          text not null default 'raised' check (status in ('raised','acknowledged','unit_sent','on_scene','closed')),
  version         integer not null default 1,             -- bumped on every change: consoles keep the highest
  raised_at       timestamptz not null default now(),
  raised_by       uuid not null references users(id),
  acknowledged_at timestamptz, acknowledged_by uuid references users(id),
  unit_sent_at    timestamptz, unit_sent_by    uuid references users(id),
  on_scene_at     timestamptz, on_scene_by     uuid references users(id),
  closed_at       timestamptz, closed_by       uuid references users(id),
  escalated_at    timestamptz,                            -- set by the sweep: unacknowledged too long
  last_remark     text not null default ''
);
-- At most one open alert per incident.
create unique index alerts_one_open on alerts(incident_id) where status <> 'closed';
create index alerts_open on alerts(status, raised_at) where status <> 'closed';

create table alert_steps (
  id         bigint generated always as identity primary key,
  alert_id   uuid not null references alerts(id),
  at         timestamptz not null default now(),
  actor_id   uuid references users(id),
  actor_name text,
  step       text not null check (step in ('raised','acknowledged','unit_sent','on_scene','closed','remark','escalated')),
  remark     text not null default '' check (char_length(remark) <= 2000)
);
create index alert_steps_alert on alert_steps(alert_id, id);

-- The outbox: one row per alert change, written in the same transaction as the change. The payload is the
-- alert as it stood after that change. The worker pushes it to the consoles (console_sent_at) and, when a
-- webhook is configured, to the external dispatch system (dispatch_deliveries).
create table dispatch_outbox (
  id              bigint generated always as identity primary key,
  message_id      uuid not null unique default gen_random_uuid(),
  alert_id        uuid not null references alerts(id),
  kind            text not null check (kind in ('raised','updated','status','remark','escalated')),
  payload         jsonb not null,
  created_at      timestamptz not null default now(),
  console_sent_at timestamptz
);
create index dispatch_outbox_console_pending on dispatch_outbox(id) where console_sent_at is null;

-- One row per message and format (CAP XML, JSON twin) to the external dispatch system.
create table dispatch_deliveries (
  id              bigint generated always as identity primary key,
  outbox_id       bigint not null references dispatch_outbox(id),
  alert_id        uuid not null references alerts(id),
  format          text not null check (format in ('cap','json')),
  state           text not null default 'pending' check (state in ('pending','delivered','failed')),
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_until     timestamptz,                            -- a worker holds it while a request is in flight
  delivered_at    timestamptz,
  last_error      text,
  unique (outbox_id, format)
);
create index dispatch_deliveries_due on dispatch_deliveries(next_attempt_at) where state = 'pending';
create index dispatch_deliveries_alert on dispatch_deliveries(alert_id, format, id);

-- Every attempt to the external system, with its outcome.
create table dispatch_attempts (
  id           bigint generated always as identity primary key,
  delivery_id  bigint not null references dispatch_deliveries(id),
  attempt      integer not null,
  started_at   timestamptz not null,
  duration_ms  integer not null,
  url          text not null,
  http_status  integer,
  outcome      text not null check (outcome in ('delivered','http_error','rejected','timeout','network_error','aborted')),
  error        text,
  response     text                                      -- first 500 characters of the answer
);
create index dispatch_attempts_delivery on dispatch_attempts(delivery_id, id);

-- The shift log: an observer starts and ends a shift with the cameras they watch, and leaves hand-over notes.
create table shifts (
  id             uuid primary key default gen_random_uuid(),
  user_id        uuid not null references users(id),
  started_at     timestamptz not null default now(),
  ended_at       timestamptz,
  camera_ids     text[] not null default '{}',   -- checked against the registry when written
  handover_notes text not null default '' check (char_length(handover_notes) <= 10000),
  constraint shifts_order check (ended_at is null or ended_at >= started_at)
);
create unique index shifts_one_open on shifts(user_id) where ended_at is null;
create index shifts_started on shifts(started_at desc);
