-- Schools whose mean in a subject lies far from their province's (|z| >= 3 with >= 10
-- papers, z over the province's school means): a marking or linking problem to look at.
create table if not exists out_exam__school_outliers (
    year smallint not null,
    school_code varchar not null,
    subject varchar not null,
    papers integer not null,
    mean double not null,
    province_mean double not null,
    z double not null
)
