-- Flexible supervision: municipalities book camera supervision for events under the mayor's designation
-- decision (Gemeentewet 151c); the room plans it against its flexible units and rostered observers.
create extension if not exists btree_gist;

create sequence booking_number;

create table bookings (
  id                 uuid primary key default gen_random_uuid(),
  reference          text not null unique default ('BK-' || to_char(now() at time zone 'Europe/Amsterdam', 'YYYY') || '-' || lpad(nextval('booking_number')::text, 4, '0')),
  municipality_id    text not null references municipalities(id),
  event_name         text not null check (char_length(event_name) between 1 and 200),
  address            text not null check (char_length(address) between 1 and 300),
  lat                double precision not null check (lat between -90 and 90),
  lon                double precision not null check (lon between -180 and 180),
  risk_class         text not null check (risk_class in ('A','B','C')),
  units_wanted       smallint not null check (units_wanted between 1 and 50),
  observers_wanted   smallint not null check (observers_wanted between 0 and 20),
  -- The mayor's decision: its reference and the period it covers (local dates, inclusive, as written in it).
  decision_reference text not null check (char_length(decision_reference) between 1 and 100),
  decision_from      date not null,
  decision_to        date not null,
  contact_name       text not null check (char_length(contact_name) between 1 and 120),
  contact_phone      text not null check (char_length(contact_phone) between 1 and 40),
  contact_email      text not null default '' check (char_length(contact_email) <= 200),
  notes              text not null default '' check (char_length(notes) <= 10000),
  urgent             boolean not null default false,   -- asked later than the lead time
  status             text not null default 'requested' check (status in ('requested','approved','rejected','cancelled')),
  status_reason      text not null default '' check (char_length(status_reason) <= 2000),
  version            integer not null default 1,
  created_by         uuid not null references users(id),
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  constraint bookings_decision_order check (decision_to >= decision_from)
);
create index bookings_municipality on bookings(municipality_id, created_at desc);

-- A booking's time windows; stored as UTC ranges, so hours across a daylight-saving change come out right.
create table booking_windows (
  id         uuid primary key default gen_random_uuid(),
  booking_id uuid not null references bookings(id) on delete cascade,
  period     tstzrange not null check (not isempty(period) and lower_inc(period) and not upper_inc(period) and not lower_inf(period) and not upper_inf(period)),
  -- The windows of one booking do not overlap each other.
  constraint booking_windows_no_overlap exclude using gist (booking_id with =, period with &&)
);
create index booking_windows_period on booking_windows using gist (period);

-- A flexible unit assigned to an approved booking, per window. One unit is never in two overlapping windows:
-- the database refuses it, whichever supervisor or process tries.
create table booking_units (
  booking_id uuid not null references bookings(id) on delete cascade,
  window_id  uuid not null references booking_windows(id) on delete cascade,
  camera_id  text not null references cameras(id),
  period     tstzrange not null,
  primary key (window_id, camera_id),
  constraint booking_units_one_place exclude using gist (camera_id with =, period with &&)
);

create table booking_observers (
  booking_id uuid not null references bookings(id) on delete cascade,
  user_id    uuid not null references users(id),
  primary key (booking_id, user_id)
);

-- Every change of a booking: who, when, what (the history the planning and the municipality see).
create table booking_events (
  id         bigint generated always as identity primary key,
  booking_id uuid not null references bookings(id) on delete cascade,
  at         timestamptz not null default now(),
  actor_id   uuid references users(id),
  actor_name text,
  kind       text not null,   -- requested, changed, approved, rejected, cancelled, reopened
  details    jsonb not null default '{}'
);
create index booking_events_booking on booking_events(booking_id, id);

-- The observers' roster: who is planned in the room when. Capacity counts observers rostered over a whole window.
create table roster_entries (
  id         uuid primary key default gen_random_uuid(),
  user_id    uuid not null references users(id),
  period     tstzrange not null check (not isempty(period) and not lower_inf(period) and not upper_inf(period)),
  created_by uuid references users(id),
  created_at timestamptz not null default now(),
  constraint roster_no_overlap exclude using gist (user_id with =, period with &&)
);

-- When each camera was online (from the media server's publish/unpublish): the usage report's "hours actually
-- supervised". last_seen_at is refreshed while online, so a crash loses at most that refresh interval.
create table camera_online_periods (
  id           bigint generated always as identity primary key,
  camera_id    text not null references cameras(id),
  started_at   timestamptz not null,
  ended_at     timestamptz,
  last_seen_at timestamptz not null,
  constraint camera_online_order check (ended_at is null or ended_at >= started_at)
);
create index camera_online_periods_camera on camera_online_periods(camera_id, started_at);
create unique index camera_online_one_open on camera_online_periods(camera_id) where ended_at is null;

-- Console notifications for a role or for one municipality's users (bookings: requested, approved, ...).
create table notifications (
  id              bigint generated always as identity primary key,
  at              timestamptz not null default now(),
  role            text check (role in ('observer','supervisor','dispatcher','police','municipality','admin')),
  municipality_id text references municipalities(id),
  kind            text not null,
  booking_id      uuid references bookings(id) on delete cascade,
  details         jsonb not null default '{}',
  -- Exactly one audience: a role, or a municipality's users.
  constraint notifications_audience check ((role is null) <> (municipality_id is null))
);
create index notifications_role on notifications(role, id desc);
create index notifications_municipality on notifications(municipality_id, id desc);
-- "24 h before start" is sent once per window and audience, even across restarts.
create unique index notifications_once on notifications(kind, booking_id, ((details->>'windowId')), coalesce(role, ''), coalesce(municipality_id, ''))
  where kind = 'booking.starts_soon';

create table notification_reads (
  notification_id bigint not null references notifications(id) on delete cascade,
  user_id         uuid not null references users(id) on delete cascade,
  primary key (notification_id, user_id)
);
