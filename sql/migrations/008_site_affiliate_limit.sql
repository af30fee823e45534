-- The site shows at most 12 affiliate links on a page and its database enforces it. Handlers do not
-- repeat the site's rules: a violation surfaces as a failed execution (retried, then FAILED).
alter table content.mods
  add constraint mods_affiliate_links_limit check (jsonb_array_length(affiliate_links) <= 12);
