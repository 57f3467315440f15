-- Which version of the content (Content.version, a hash of every content file) produced each kept
-- check result, so a result can always be traced to the advice that was shown. Older rows: ''.
ALTER TABLE check_results ADD COLUMN content_version TEXT NOT NULL DEFAULT '';
