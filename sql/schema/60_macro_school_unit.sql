-- The code of a school's unit at (scheme, level), from its registry row: how a school is
-- placed in a unit of either scheme, in SQL. The mapping is ioc/domain/units.py's
-- PLACE_COLUMN; tests/unit/test_units.py fails if the two disagree.
create or replace macro school_unit(registry, scheme, level) as
    case
        when scheme = 'legacy' and level = 'province' then registry.province_code_legacy
        when scheme = 'legacy' and level = 'district' then registry.district_code_legacy
        when scheme = 'legacy' and level = 'commune' then registry.commune_code_legacy
        when scheme = '2025' and level = 'province' then registry.province_code_2025
        when scheme = '2025' and level = 'commune' then registry.commune_code_2025
    end
