-- Data-quality findings per school and period (ioc/compute/findings.py): jumps, outliers against
-- peers, impossible combinations, ambiguous places.
create or replace table out_quality__findings (
    school_code varchar not null,
    school_year varchar not null,
    term varchar not null,
    rule varchar not null,
    field varchar,
    value varchar,
    message varchar not null,  -- the English message when stored (ioc/catalog/messages.yaml)
    params varchar             -- JSON: the message's parameters; texts are made when shown
)
