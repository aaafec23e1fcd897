-- Gateway: calls that actually went to the provider, per day (what `caps.callsPerDay` counts).
-- `calls` keeps counting every receipt, refused ones included.
ALTER TABLE spend_daily ADD COLUMN upstream_calls INTEGER NOT NULL DEFAULT 0;
