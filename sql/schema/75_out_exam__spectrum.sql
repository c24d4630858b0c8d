-- The score spectrum: papers per bin of spectrum_step (0.25); bin_from is the bin's lower
-- edge (a paper of 6.35 is in the 6.25 bin); 10 is a bin of its own. Empty bins have no row.
create table if not exists out_exam__spectrum (
    year smallint not null,
    scheme varchar not null,
    level varchar not null,
    unit_code varchar not null,
    subject varchar not null,          -- a subject code, or a combination code (its totals, 0-30)
    bin_from decimal(5, 2) not null,
    papers integer not null
)
