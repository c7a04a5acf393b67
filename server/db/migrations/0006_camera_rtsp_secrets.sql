-- RTSP credentials apart from the URL (issue 13). cameras.rtsp_url keeps only the address (scheme, host, port, path);
-- the user info before @ and the query string (where cameras carry ?password=, ?pwd=, ?token=, ?auth= …) move here,
-- in the form they were typed, so the RTSP bridge can join them back into the exact URL. The API never reads this table.
create table camera_rtsp_secrets (
  camera_id text primary key references cameras(id) on delete cascade,
  userinfo  text not null default '',
  query     text not null default ''
);

-- Existing cameras: split what is stored today (same rules as server/cameras/rtsp-url.ts).
insert into camera_rtsp_secrets (camera_id, userinfo, query)
  select id,
         coalesce(substring(rtsp_url from '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#]*)@'), ''),
         coalesce(substring(rtsp_url from '^[^?#]*\?([^#]*)'), '')
    from cameras
   where source_type = 'rtsp' and rtsp_url ~ '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#]*@|[^?#]*\?)';

update cameras
   set rtsp_url = regexp_replace(regexp_replace(rtsp_url, '^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#]*@', '\1'), '[?#].*$', '')
 where source_type = 'rtsp';
