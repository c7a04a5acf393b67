-- Platform: municipalities, users and sessions, the camera registry and the audit trail.

create table municipalities (
  id   text primary key check (id ~ '^[a-z0-9-]{2,40}$'),
  name text not null
);

create table users (
  id              uuid primary key default gen_random_uuid(),
  username        text not null unique check (username ~ '^[a-z0-9._-]{2,40}$'),
  display_name    text not null,
  role            text not null check (role in ('observer','supervisor','dispatcher','police','municipality','admin')),
  municipality_id text references municipalities(id),
  password_hash   text not null,
  disabled        boolean not null default false,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  -- A municipality user is bound to exactly one municipality; nobody else is.
  constraint users_municipality_binding check ((role = 'municipality') = (municipality_id is not null))
);

create table sessions (
  token_hash   text primary key,          -- SHA-256 of the cookie value; the value itself is never stored
  user_id      uuid not null references users(id) on delete cascade,
  created_at   timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at   timestamptz not null,      -- absolute expiry
  remote_addr  text
);
create index sessions_user on sessions(user_id);

create table login_failures (
  at          timestamptz not null default now(),
  username    text not null,
  remote_addr text not null
);
create index login_failures_user on login_failures(username, at);
create index login_failures_addr on login_failures(remote_addr, at);

create table cameras (
  id              text primary key check (id ~ '^[a-z0-9-]{2,60}$'),
  name            text not null,
  municipality_id text not null references municipalities(id),
  street          text not null,
  lat             double precision not null check (lat between -90 and 90),
  lon             double precision not null check (lon between -180 and 180),
  kind            text not null check (kind in ('permanent','flexible')),
  source_type     text not null check (source_type in ('rtmp','rtsp')),
  rtsp_url        text,
  key_hash        text,                   -- SHA-256 of the RTMP publish key; the key is shown once
  has_sub_stream  boolean not null default true,
  enabled         boolean not null default true,
  notes           text not null default '',
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  constraint cameras_source check (
    (source_type = 'rtmp' and key_hash is not null and rtsp_url is null) or
    (source_type = 'rtsp' and rtsp_url is not null))
);
create index cameras_municipality on cameras(municipality_id);

-- Append-only audit trail. Each row carries the SHA-256 of the previous row's hash and its own content,
-- so any later change breaks the chain at that row.
create table audit_log (
  id          bigint primary key,
  at          timestamptz not null,
  actor_id    uuid,
  actor_name  text,
  action      text not null,
  subject     text,
  details     jsonb not null default '{}',
  remote_addr text,
  prev_hash   text not null,
  hash        text not null
);
create index audit_log_action on audit_log(action, at);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end $$;
create trigger audit_log_no_update before update or delete on audit_log for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_append_only();
