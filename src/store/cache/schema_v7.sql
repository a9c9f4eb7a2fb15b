-- v7: the indexes no screen reads go. Leads are listed newest first and
-- opportunities by date; nothing sorts leads by name or picks leads or
-- opportunities by status, and each of these three indexes cost a first
-- sync about a fifteenth of its index building (and every later write its
-- upkeep). Such a query still works, by a scan. A bulk load set aside
-- before this version must not build them again at its end.
DROP INDEX IF EXISTS cache_leads_name;
DROP INDEX IF EXISTS cache_leads_status;
DROP INDEX IF EXISTS cache_opportunities_status;
DELETE FROM cache_deferred
 WHERE name IN ('cache_leads_name', 'cache_leads_status', 'cache_opportunities_status');
