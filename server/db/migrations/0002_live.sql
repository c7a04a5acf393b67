-- Live video: who watched which camera when (the duty to log every consultation), and console preferences.

create table live_views (
  id          uuid primary key default gen_random_uuid(),
  user_id     uuid not null references users(id),
  camera_id   text not null references cameras(id),
  stream      text not null check (stream in ('main','sub')),
  started_at  timestamptz not null default now(),
  ended_at    timestamptz,
  remote_addr text
);
create index live_views_user on live_views(user_id, started_at desc);
create index live_views_camera on live_views(camera_id, started_at desc);

alter table users add column preferences jsonb not null default '{}';
