"""Geographic reference data shipped with bmdsim: country outlines and cities.

See :mod:`bmdsim.geo.data`; sources and licences are in ``bmdsim/data/ATTRIBUTION.md``.
"""

from bmdsim.geo.data import (
    CITY_DTYPE,
    Country,
    UnknownCountryError,
    cities,
    countries,
    country,
    country_of,
    find_city,
)

__all__ = [
    "CITY_DTYPE",
    "Country",
    "UnknownCountryError",
    "cities",
    "countries",
    "country",
    "country_of",
    "find_city",
]
