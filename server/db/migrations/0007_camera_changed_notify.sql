-- Every change to a camera row is announced on the channel camera_changed (payload: the camera id), so each room
-- node keeps its in-memory publish registry (server/live/camera-registry.ts) fresh without asking the database at
-- every publish — also for changes made by another node or by SQL by hand. Delivered at commit, never for a
-- rolled-back change.
create function notify_camera_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('camera_changed', coalesce(new.id, old.id));
  return null;
end $$;

create trigger cameras_notify_changed after insert or update or delete on cameras
  for each row execute function notify_camera_changed();
