-- The approval mode (IOC_APPROVAL: 'required' | 'off') the official basis of
-- out_indicator__sums was computed under: when the setting changes, the next rebuild is a
-- full one (ioc/compute/out_tables.py), so official figures never keep the other mode's.
create table if not exists meta__approval (
    mode varchar not null
)
