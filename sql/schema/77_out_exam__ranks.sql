-- The provinces loaded, ranked per subject by mean score (1 = highest; ties share a rank),
-- in each scheme; subject '*' ranks by the mean of all papers.
create table if not exists out_exam__ranks (
    year smallint not null,
    scheme varchar not null,
    unit_code varchar not null,        -- a province of the scheme
    subject varchar not null,
    mean double not null,
    rank integer not null,
    ranked integer not null            -- provinces ranked (those with papers in the subject)
)
