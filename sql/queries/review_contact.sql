-- A school's contact address for review mail: the registry's (pulled or loaded) e-mail.
select email
from raw_registry__schools
where school_code = $school_code and email is not null and trim(email) <> ''
limit 1
