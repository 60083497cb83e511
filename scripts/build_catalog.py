#!/usr/bin/env python3
"""Rebuild the shipped catalog CSVs in src/greengate/catalog/data from the raw sources.

Run by hand when the sources change; tests never run it because the raw
sources (``../shared/data``, described in its SOURCES.md) are not part of the
repository:

    python scripts/build_catalog.py [--data ../shared/data] [--out src/greengate/catalog/data]

Only sources whose licence allows redistribution are read (Apache-2.0, MIT,
CC BY 4.0, MPL-2.0) plus curated facts written out below with their source.
Output is deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from greengate.catalog.names import accelerator_key, model_key  # noqa: E402
from greengate.records.units import parse_parameter_count  # noqa: E402

# --- source labels (each names licence, snapshot and the year of the figures) ---------

CCF = "Cloud Carbon Footprint {file} @b7a049c (Apache-2.0)"
GCP_CARBON = "GoogleCloudPlatform/region-carbon-info data/yearly/{year}.csv (Apache-2.0)"
EPOCH = "Epoch AI, Data on Machine Learning Hardware (CC BY 4.0), {year}, row '{row}'"
SKYPILOT = "SkyPilot sky/catalog/gcp_catalog.py @0052610 (Apache-2.0), 2025"
ECOLOGITS = "EcoLogits models.json v0.9.1 (MPL-2.0), 2025: {url}"
GREEN_ALGORITHMS = "Green Algorithms defaults_PUE.csv @1197701 (CC BY 4.0), {year}: {url}"
AWS_DOCS = "AWS EC2 accelerated computing instance documentation, 2025"
GCP_DOCS = "Google Cloud accelerator-optimized and TPU machine types documentation, 2025"
AZURE_DOCS = "Microsoft Azure GPU virtual machine sizes documentation, 2025"
CURATED = "architecture and generation curated from vendor naming (greengate)"


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], preamble: str = ""
) -> int:
    buffer = io.StringIO()
    buffer.write(preamble)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
        count += 1
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return count


def decimal_text(value: Decimal) -> str:
    """Exact decimal text without exponent: Decimal("8.8000E+0") -> "8.8"."""
    return format(value.normalize(), "f")


# --- regions --------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# Verdict basis: lifecycle (Ember's method: upstream methane, supply chain and
# construction included, gCO2e per kWh generated). It is the only basis with a
# figure of 2022 or later for every country under a permissive licence (Ember via
# OWID, CC BY 4.0); eGRID (direct) and Google's region-carbon-info (operational)
# are kept beside it as the "other" figure. See catalog/data/SOURCES.md.
BASIS = "lifecycle"
# Full credit line in catalog/data/SOURCES.md and NOTICE.
OWID = (
    "Ember and Energy Institute via Our World in Data, carbon-intensity-electricity "
    "(CC BY 4.0), {year}, {country}"
)
EMBER_CO2JS = (
    "Ember Yearly Electricity Data via thegreenwebfoundation/co2.js average-intensities.json "
    "@b459b5e (CC BY 4.0), {year}, {country}"
)
US_BA = (
    "US EPA eGRID2023 rev2 balancing-authority generation (public domain) x Ember US lifecycle "
    "factors (CC BY 4.0), via stevensu04/eco-router-mcp us-egrid.ts @926e465 (MIT), 2023, {zone}"
)
CA_NIR = (
    "ECCC National Inventory Report Annex 7 provincial generation (Open Government Licence - "
    "Canada) x Ember Canada lifecycle factors (CC BY 4.0), via stevensu04/eco-router-mcp "
    "ca-nir.ts @926e465 (MIT), 2023, {zone}"
)
EGRID = "US EPA eGRID2022 subregion {sub} total output CO2e rate (public domain), 2022"

# The grid a region draws from, where a sub-national lifecycle figure exists: US
# balancing authority (Electricity Maps zone keys, as in eco-router's table) or
# Canadian province. Curated by greengate from the provider's published city or
# state and that area's utility; regions not listed use their country's figure.
SUBNATIONAL: dict[tuple[str, str], tuple[str, str]] = {
    ("aws", "us-east-1"): ("US-MIDA-PJM", "Northern Virginia: Dominion Energy, PJM"),
    ("aws", "us-east-2"): ("US-MIDA-PJM", "Ohio (Columbus area): AEP Ohio, PJM"),
    ("aws", "us-west-1"): ("US-CAL-CISO", "Northern California: CAISO"),
    ("aws", "us-west-2"): ("US-NW-BPAT", "Oregon (Boardman/Umatilla): Bonneville BA"),
    ("aws", "ca-central-1"): ("CA-QC", "Montreal, Quebec"),
    ("aws", "ca-west-1"): ("CA-AB", "Calgary, Alberta"),
    ("azure", "canadacentral"): ("CA-ON", "Toronto, Ontario"),
    ("azure", "canadaeast"): ("CA-QC", "Quebec City, Quebec"),
    ("azure", "centralus"): ("US-MIDW-MISO", "Iowa (Des Moines): MidAmerican, MISO"),
    ("azure", "eastus"): ("US-MIDA-PJM", "Virginia: Dominion Energy, PJM"),
    ("azure", "eastus2"): ("US-MIDA-PJM", "Virginia: Dominion Energy, PJM"),
    ("azure", "northcentralus"): ("US-MIDA-PJM", "Illinois (Chicago): ComEd, PJM"),
    ("azure", "southcentralus"): ("US-TEX-ERCO", "Texas (San Antonio): ERCOT"),
    ("azure", "westus"): ("US-CAL-CISO", "California: CAISO"),
    ("azure", "westus2"): ("US-NW-GCPD", "Washington (Quincy): Grant County PUD"),
    ("gcp", "northamerica-northeast1"): ("CA-QC", "Montreal, Quebec"),
    ("gcp", "northamerica-northeast2"): ("CA-ON", "Toronto, Ontario"),
    ("gcp", "us-central1"): ("US-MIDW-MISO", "Iowa (Council Bluffs): MidAmerican, MISO"),
    ("gcp", "us-east4"): ("US-MIDA-PJM", "Northern Virginia: Dominion Energy, PJM"),
    ("gcp", "us-east5"): ("US-MIDA-PJM", "Columbus, Ohio: AEP Ohio, PJM"),
    ("gcp", "us-south1"): ("US-TEX-ERCO", "Dallas: ERCOT"),
    ("gcp", "us-west1"): ("US-NW-BPAT", "Oregon (The Dalles): Bonneville BA"),
    ("gcp", "us-west2"): ("US-CAL-CISO", "Los Angeles: CAISO (the LADWP area would be 539.6)"),
    ("gcp", "us-west3"): ("US-NW-PACE", "Salt Lake City: PacifiCorp East"),
    ("gcp", "us-west4"): ("US-NW-NEVP", "Las Vegas: NV Energy"),
}
# US regions left at the US national figure, and why.
US_NATIONAL_WHY = {
    ("aws", "us-gov-east-1"): "AWS does not publish the state",
    ("aws", "us-gov-west-1"): "AWS does not publish the state",
    ("azure", "westcentralus"): "Wyoming: no balancing-authority lifecycle figure for WACM checked",
    ("azure", "westus3"): "Arizona: the US-SW-AZPS figure (690.9) is implausible with Palo Verde",
    ("gcp", "us-central2"): "Oklahoma: SPP has no lifecycle figure in the sources",
    ("gcp", "us-east1"): "South Carolina: the US-CAR-SC table covers Santee Cooper only",
    ("gcp", "us-east2"): "Georgia: Southern Company has no lifecycle figure in the sources",
    ("gcp", "us-east7"): "Alabama and Tennessee: TVA has no lifecycle figure in the sources",
}
# GCP locations -> ISO 3166-1 alpha-3 (region-carbon-info names a city or country).
GCP_COUNTRY = {
    "africa-south1": "ZAF", "asia-east1": "TWN", "asia-east2": "HKG", "asia-northeast1": "JPN",
    "asia-northeast2": "JPN", "asia-northeast3": "KOR", "asia-south1": "IND",
    "asia-south2": "IND", "asia-southeast1": "SGP", "asia-southeast2": "IDN",
    "asia-southeast3": "THA", "australia-southeast1": "AUS", "australia-southeast2": "AUS",
    "europe-central2": "POL", "europe-north1": "FIN", "europe-north2": "SWE",
    "europe-southwest1": "ESP", "europe-west1": "BEL", "europe-west2": "GBR",
    "europe-west3": "DEU", "europe-west4": "NLD", "europe-west5": "DEU", "europe-west6": "CHE",
    "europe-west8": "ITA", "europe-west9": "FRA", "europe-west10": "DEU",
    "europe-west12": "ITA", "me-central1": "QAT", "me-central2": "SAU", "me-west1": "ISR",
    "northamerica-south1": "MEX", "southamerica-east1": "BRA", "southamerica-west1": "CHL",
}  # fmt: skip
ISO2_TO_3 = {
    "AE": "ARE", "AT": "AUT", "AU": "AUS", "BE": "BEL", "BH": "BHR", "BR": "BRA", "CA": "CAN",
    "CH": "CHE", "CL": "CHL", "CN": "CHN", "DE": "DEU", "DK": "DNK", "ES": "ESP", "FR": "FRA",
    "GB": "GBR", "HK": "HKG", "ID": "IDN", "IE": "IRL", "IL": "ISR", "IN": "IND", "IT": "ITA",
    "JP": "JPN", "KR": "KOR", "MX": "MEX", "MY": "MYS", "NL": "NLD", "NO": "NOR", "NZ": "NZL",
    "PL": "POL", "QA": "QAT", "SE": "SWE", "SG": "SGP", "TH": "THA", "TW": "TWN", "US": "USA",
    "ZA": "ZAF",
}  # fmt: skip

# ISO 3166-1 alpha-3 -> continent, for "the lowest-carbon region on the same continent".
# UN M49 regions (UN Statistics Division, Standard country or area codes for statistical
# use, public domain facts), with the Americas split as M49's sub-regions split them:
# North America = Northern America + Central America (Mexico); South America.
CONTINENT = {
    "ZAF": "Africa",
    "ARE": "Asia", "BHR": "Asia", "CHN": "Asia", "HKG": "Asia", "IDN": "Asia", "IND": "Asia",
    "ISR": "Asia", "JPN": "Asia", "KOR": "Asia", "MYS": "Asia", "QAT": "Asia", "SAU": "Asia",
    "SGP": "Asia", "THA": "Asia", "TWN": "Asia",
    "AUT": "Europe", "BEL": "Europe", "CHE": "Europe", "DEU": "Europe", "DNK": "Europe",
    "ESP": "Europe", "FIN": "Europe", "FRA": "Europe", "GBR": "Europe", "IRL": "Europe",
    "ITA": "Europe", "NLD": "Europe", "NOR": "Europe", "POL": "Europe", "SWE": "Europe",
    "CAN": "North America", "MEX": "North America", "USA": "North America",
    "BRA": "South America", "CHL": "South America",
    "AUS": "Oceania", "NZL": "Oceania",
}  # fmt: skip

Figure = tuple[Decimal, int, str]  # value (g/kWh), year it describes, source


def country_figures(data: Path) -> dict[str, Figure]:
    """Latest lifecycle figure per ISO3 country: OWID 2024, else Ember/co2.js 2024, else OWID 2023."""
    owid: dict[str, dict[int, tuple[Decimal, str]]] = {}
    for record in read_csv(data / "owid-carbon-intensity" / "carbon-intensity-electricity.csv"):
        code, value = (
            record["Code"].strip(),
            record["Carbon intensity of electricity - gCO2/kWh"].strip(),
        )
        if len(code) == 3 and value:
            owid.setdefault(code, {})[int(record["Year"])] = (Decimal(value), record["Entity"])
    ember = json.loads(
        (data / "ember-co2js" / "average-intensities.json").read_text(encoding="utf-8")
    )
    figures: dict[str, Figure] = {}
    for code, years in owid.items():
        co2js = ember.get(code)
        if 2024 in years:
            value, name = years[2024]
            figures[code] = (value, 2024, OWID.format(year=2024, country=name))
        elif co2js and co2js["year"] == 2024:
            value = Decimal(str(co2js["emissions_intensity_gco2_per_kwh"]))
            name = co2js["country_or_region"]
            figures[code] = (value, 2024, EMBER_CO2JS.format(year=2024, country=name))
        elif 2023 in years:
            value, name = years[2023]
            figures[code] = (value, 2023, OWID.format(year=2023, country=name))
    return figures


def zone_figures(data: Path) -> dict[str, Figure]:
    zones: dict[str, Figure] = {}
    for file, label in (("us-egrid.ts", US_BA), ("ca-nir.ts", CA_NIR)):
        text = (data / "eco-router" / file).read_text(encoding="utf-8")
        for zone, value, year in re.findall(
            r'"([A-Z-]+)": \{ intensity: ([0-9.]+), year: (\d{4}) \}', text
        ):
            zones[zone] = (Decimal(value), int(year), label.format(zone=zone))
    return zones


def round1(value: Decimal) -> str:
    return decimal_text(value.quantize(Decimal("0.1")))


def lifecycle_figure(
    key: tuple[str, str], country: str, countries: dict[str, Figure], zones: dict[str, Figure]
) -> Figure:
    if key in SUBNATIONAL:
        zone, why = SUBNATIONAL[key]
        value, year, source = zones[zone]
        return value, year, f"{source} ({why})"
    value, year, source = countries[country]
    if key in US_NATIONAL_WHY:
        source += f" (national figure: {US_NATIONAL_WHY[key]})"
    elif country == "USA":
        raise SystemExit(f"{key}: a US region needs SUBNATIONAL or US_NATIONAL_WHY")
    return value, year, source


def region_rows(data: Path) -> list[list[object]]:
    """regions.csv: every AWS, Azure and GCP region on the lifecycle basis, plus the other figure."""
    countries, zones = country_figures(data), zone_figures(data)
    egrid = json.loads((data / "egrid" / "egrid2022_intensities.json").read_text(encoding="utf-8"))[
        "regions_kg_per_mwh"
    ]
    rows: list[list[object]] = []
    for record in read_csv(data / "curated" / "aws_azure_region_grid.csv"):
        key = (record["provider"], record["region"])
        country = ISO2_TO_3[record["country_iso"]]
        value, year, source = lifecycle_figure(key, country, countries, zones)
        other: list[object] = ["", "", "", ""]
        match = re.search(r"eGRID=(\w+)", record["subnational"])
        if match:
            sub = match.group(1)
            other = [round1(Decimal(str(egrid[sub]))), "direct", 2022, EGRID.format(sub=sub)]
        continent = CONTINENT[country]
        rows.append(
            [*key, record["location"], round1(value), BASIS, "", year, source, *other, continent]
        )
    gcp: dict[str, dict[str, str]] = {}
    gcp_year: dict[str, int] = {}
    for file_year in (2025, 2024):  # latest year wins; 2024 only fills regions absent in 2025
        for record in read_csv(data / "gcp-region-carbon-info" / f"{file_year}.csv"):
            region = record["Google Cloud Region"].strip()
            if region not in gcp:
                gcp[region], gcp_year[region] = record, file_year
    for region in sorted(gcp):
        record, file_year = gcp[region], gcp_year[region]
        key = ("gcp", region)
        country = GCP_COUNTRY.get(region, "USA")
        value, year, source = lifecycle_figure(key, country, countries, zones)
        location = record["Location"].strip()
        rows.append(
            [
                *key,
                "" if location == "N/A" else location,
                round1(value),
                BASIS,
                record["Google CFE"].strip(),
                year,
                source,
                record["Grid carbon intensity (gCO2eq / kWh)"].strip(),
                "operational",
                file_year,
                GCP_CARBON.format(year=file_year) + ", Google's own hourly figure",
                CONTINENT[country],
            ]
        )
    return sorted(rows, key=lambda row: (str(row[0]), str(row[1])))


REGION_COLUMNS = [
    "provider",
    "region",
    "location",
    "grid_gco2e_per_kwh",
    "basis",
    "cfe",
    "year",
    "source",
    "other_gco2e_per_kwh",
    "other_basis",
    "other_year",
    "other_source",
    "continent",
]


# --- accelerators -----------------------------------------------------------------------

# id, vendor, architecture, generation, Epoch row (or None), aliases
ACCELERATORS: list[tuple[str, str, str, int | None, str | None, str]] = [
    ("nvidia-k80", "nvidia", "kepler", 1, "NVIDIA Tesla K80", "K80|Tesla K80|nvidia-tesla-k80"),
    ("nvidia-k520", "nvidia", "kepler", 1, None, "K520|GRID K520"),
    ("nvidia-m60", "nvidia", "maxwell", 2, "NVIDIA TESLA M60", "M60|Tesla M60|nvidia-tesla-m60"),
    ("nvidia-p4", "nvidia", "pascal", 3, "NVIDIA Tesla P4", "P4|Tesla P4|nvidia-tesla-p4"),
    ("nvidia-p40", "nvidia", "pascal", 3, "NVIDIA P40", "P40|Tesla P40"),
    (
        "nvidia-p100",
        "nvidia",
        "pascal",
        3,
        "NVIDIA Tesla P100 PCIe 16GB",
        "P100|Tesla P100|nvidia-tesla-p100",
    ),
    (
        "nvidia-v100",
        "nvidia",
        "volta",
        4,
        "NVIDIA Tesla V100 SXM2 32 GB",
        "V100|Tesla V100|nvidia-tesla-v100|V100-32GB|V100-SXM2-16GB|V100-SXM2-32GB",
    ),
    (
        "nvidia-v100-pcie",
        "nvidia",
        "volta",
        4,
        "NVIDIA Tesla V100 PCIe 16 GB",
        "V100 PCIe|Tesla V100 PCIe|V100-PCIE-16GB|V100-PCIE-32GB",
    ),
    ("nvidia-v100s", "nvidia", "volta", 4, "NVIDIA Tesla V100S PCIe 32 GB", "V100S|Tesla V100S"),
    ("nvidia-t4", "nvidia", "turing", 5, "NVIDIA Tesla T4", "T4|Tesla T4|nvidia-tesla-t4|T4G"),
    (
        "nvidia-a100",
        "nvidia",
        "ampere",
        6,
        "NVIDIA A100 SXM4 80 GB",
        "A100|A100-80GB|nvidia-tesla-a100|nvidia-a100-80gb|A100-SXM4-80GB|A100-SXM4-40GB",
    ),
    ("nvidia-a100-pcie", "nvidia", "ampere", 6, None, "A100 PCIe|A100-80GB-PCIe|A100 80GB PCIe"),
    ("nvidia-a100-pcie-40gb", "nvidia", "ampere", 6, None, "A100-PCIE-40GB|A100 40GB PCIe"),
    ("nvidia-a10g", "nvidia", "ampere", 6, "NVIDIA A10G", "A10G"),
    ("nvidia-a10", "nvidia", "ampere", 6, "NVIDIA A10 PCIe", "A10|A10 PCIe"),
    ("nvidia-a40", "nvidia", "ampere", 6, "NVIDIA A40 PCIe", "A40"),
    ("nvidia-l4", "nvidia", "ada-lovelace", 7, "NVIDIA L4", "L4"),
    ("nvidia-l40", "nvidia", "ada-lovelace", 7, "NVIDIA L40", "L40"),
    ("nvidia-l40s", "nvidia", "ada-lovelace", 7, None, "L40S"),
    (
        "nvidia-h100",
        "nvidia",
        "hopper",
        8,
        "NVIDIA H100 SXM5 80GB",
        "H100|H100-SXM5|H100-MEGA|nvidia-h100-80gb|nvidia-h100-mega-80gb|H100-80GB-HBM3",
    ),
    ("nvidia-h100-pcie", "nvidia", "hopper", 8, "NVIDIA H100 PCIe", "H100 PCIe|H100-PCIe-80GB"),
    ("nvidia-h100-nvl", "nvidia", "hopper", 8, "NVIDIA H100 NVL", "H100 NVL|H100-NVL"),
    ("nvidia-h200", "nvidia", "hopper", 8, "NVIDIA H200 SXM", "H200|H200-SXM|nvidia-h200-141gb"),
    ("nvidia-h20", "nvidia", "hopper", 8, "NVIDIA HGX H20", "H20|HGX H20"),
    ("nvidia-h800", "nvidia", "hopper", 8, "NVIDIA H800 SXM5", "H800|H800-SXM5"),
    ("nvidia-gh200", "nvidia", "hopper", 8, "NVIDIA GH200", "GH200"),
    ("nvidia-b100", "nvidia", "blackwell", 9, "NVIDIA B100", "B100"),
    ("nvidia-b200", "nvidia", "blackwell", 9, "NVIDIA B200", "B200|B200-SXM"),
    ("nvidia-gb200", "nvidia", "blackwell", 9, "NVIDIA GB200", "GB200"),
    ("nvidia-b300", "nvidia", "blackwell-ultra", 9, "NVIDIA B300 (Blackwell Ultra)", "B300"),
    ("nvidia-gb300", "nvidia", "blackwell-ultra", 9, "NVIDIA GB300 (Blackwell Ultra)", "GB300"),
    ("google-tpu-v1", "google", "tpu-v1", 1, "Google TPU v1", "TPU v1"),
    ("google-tpu-v2", "google", "tpu-v2", 2, "Google TPU v2", "TPU v2|v2"),
    ("google-tpu-v3", "google", "tpu-v3", 3, "Google TPU v3", "TPU v3|v3"),
    ("google-tpu-v4", "google", "tpu-v4", 4, "Google TPU v4", "TPU v4|v4|tpu-v4-podslice"),
    ("google-tpu-v4i", "google", "tpu-v4", 4, "Google TPU v4i", "TPU v4i"),
    (
        "google-tpu-v5e",
        "google",
        "tpu-v5",
        5,
        "Google TPU v5e",
        "TPU v5e|v5e|tpu-v5-lite-podslice|tpu-v5-lite-device|tpu-v5litepod|v5litepod",
    ),
    ("google-tpu-v5p", "google", "tpu-v5", 5, "Google TPU v5p", "TPU v5p|v5p|tpu-v5p-slice"),
    (
        "google-tpu-v6e",
        "google",
        "tpu-v6",
        6,
        "Google TPU v6e Trillium",
        "TPU v6e|v6e|tpu-v6e-slice|Trillium",
    ),
    ("google-tpu-v7", "google", "tpu-v7", 7, "Google TPU v7 Ironwood", "TPU v7|tpu7x|Ironwood"),
    # One AWS timeline across both chip families (policies compare one rank per
    # vendor): Inferentia 2019 < Trainium 2022 = Inferentia2 2023 (same NeuronCore-v2)
    # < Trainium2 2024 < Trainium3 2025.
    ("aws-neuron", "aws", "neuron", None, None, "AWS Neuron|neuron"),
    ("aws-inferentia", "aws", "inferentia", 1, None, "Inferentia|Inferentia1|inf1"),
    ("aws-inferentia2", "aws", "inferentia2", 2, "AWS Inferentia2", "Inferentia2|inf2"),
    ("aws-trainium", "aws", "trainium", 2, "Amazon Trainium1", "Trainium|Trainium1|trn1|trn1n"),
    ("aws-trainium2", "aws", "trainium2", 3, "Amazon Trainium2", "Trainium2|trn2"),
    ("aws-trainium3", "aws", "trainium3", 4, "Amazon Trainium3", "Trainium3|trn3"),
    ("amd-mi250x", "amd", "cdna2", 2, "AMD Radeon Instinct MI250X", "MI250X|Instinct MI250X"),
    ("amd-mi300x", "amd", "cdna3", 3, "AMD Instinct MI300X", "MI300X|Instinct MI300X"),
    ("amd-mi325x", "amd", "cdna3", 3, "AMD Instinct MI325X", "MI325X|Instinct MI325X"),
    ("amd-mi350x", "amd", "cdna4", 4, "AMD Instinct MI350X", "MI350X|Instinct MI350X"),
    ("amd-mi355x", "amd", "cdna4", 4, "AMD Instinct MI355X", "MI355X|Instinct MI355X"),
    ("amd-radeon-pro-v520", "amd", "rdna", None, None, "Radeon Pro V520|V520"),
    ("amd-alveo-u250", "amd", "alveo", None, None, "Alveo U250|xilinx-alveo-u250|U250"),
    (
        "intel-gaudi",
        "intel",
        "gaudi",
        1,
        "Intel Habana GAUDI HL-205",
        "Gaudi|Gaudi HL-205|HL-205|habana-gaudi",
    ),
    ("intel-gaudi2", "intel", "gaudi2", 2, "Intel Habana Gaudi2", "Gaudi2|habana-gaudi2"),
    ("intel-gaudi3", "intel", "gaudi3", 3, "Intel Habana Gaudi3", "Gaudi3|habana-gaudi3"),
    ("microsoft-maia-100", "microsoft", "maia", 1, "Maia 100 (M100)", "Maia 100|maia100"),
    ("meta-mtia-v2", "meta", "mtia", 2, "Meta MTIA v2", "MTIA v2"),
]

# Curated release years (accelerator_generations_curated.csv) take precedence over Epoch dates.
CURATED_YEARS = {
    "nvidia-k80": 2014, "nvidia-m60": 2015, "nvidia-p4": 2016, "nvidia-p40": 2016, "nvidia-p100": 2016,
    "nvidia-v100": 2017, "nvidia-v100-pcie": 2017, "nvidia-t4": 2018, "nvidia-a100": 2020,
    "nvidia-a100-pcie": 2020, "nvidia-a100-pcie-40gb": 2020, "nvidia-h100-pcie": 2022, "nvidia-a10g": 2021, "nvidia-a10": 2021,
    "nvidia-l4": 2023, "nvidia-l40": 2022, "nvidia-l40s": 2023, "nvidia-h100": 2022, "nvidia-h200": 2024,
    "nvidia-b200": 2024, "nvidia-b300": 2025, "google-tpu-v2": 2017, "google-tpu-v3": 2018,
    "google-tpu-v4": 2021, "google-tpu-v5e": 2023, "google-tpu-v5p": 2023, "google-tpu-v6e": 2024,
    "google-tpu-v7": 2025, "aws-inferentia": 2019, "aws-inferentia2": 2023, "aws-trainium": 2022,
    "aws-trainium2": 2024, "aws-trainium3": 2025, "intel-gaudi": 2019, "amd-mi300x": 2023,
}  # fmt: skip

# Facts for accelerators missing from the Epoch extract, each with its own source.
NON_EPOCH: dict[str, tuple[object, object, str]] = {  # id: (tdp W, memory GB, source)
    "nvidia-k520": (None, None, CCF.format(file="AWSInstanceTypes.ts") + ", 2022: GPU of AWS g2"),
    "nvidia-l40s": (
        350,
        48,
        "NVIDIA L40S datasheet https://www.nvidia.com/en-us/data-center/l40s/, 2023",
    ),
    "aws-neuron": (
        None,
        None,
        "greengate: an AWS Neuron device (Inferentia or Trainium) whose generation the manifest"
        " does not state (aws.amazon.com/neuron requested without an instance type), 2026",
    ),
    "aws-inferentia": (
        None,
        None,
        "AWS Inferentia (inf1) launch, 2019; accelerator_generations_curated.csv",
    ),
    "amd-radeon-pro-v520": (
        None,
        None,
        CCF.format(file="AWSInstanceTypes.ts") + ", 2022: GPU of AWS g4ad",
    ),
    "amd-alveo-u250": (
        None,
        None,
        CCF.format(file="VirtualMachineTypes.ts") + ", 2022: FPGA of Azure NP",
    ),
}
# PCIe A100s from Green Algorithms TDP_gpu.csv, whose rows cite NVIDIA's datasheets:
# id -> (row, memory GB as the product name states it, datasheet year). Epoch's single
# "NVIDIA A100 PCIe" row (40 GB) says 300 W where the 40 GB datasheet says 250 W; the
# datasheet-cited figure is used (SOURCES.md records the disagreement).
GREEN_ALGORITHMS_GPUS: dict[str, tuple[str, int, int]] = {
    "nvidia-a100-pcie": ("NVIDIA A100 80GB PCIe", 80, 2021),
    "nvidia-a100-pcie-40gb": ("NVIDIA A100 40GB PCIe", 40, 2020),
}
GREEN_ALGORITHMS_TDP = (
    "Green Algorithms TDP_gpu.csv @353cb91 (CC BY 4.0), row '{row}', citing NVIDIA's A100 "
    "datasheet {url}, {year}"
)
# Chips whose power nobody publishes: the vendor gives no per-chip TDP and no paper
# measures one (Epoch leaves the TDP empty; press figures are estimates, not used).
NO_POWER_FIGURE = {
    "aws-neuron": "no power figure: the Neuron device's generation is not known",
    "aws-inferentia": "no power figure: AWS publishes no per-chip TDP of Inferentia and no paper"
    " measures one",
    "aws-inferentia2": "no power figure: AWS publishes no per-chip TDP of Inferentia2 and no"
    " paper measures one (Epoch leaves it empty)",
    "aws-trainium": "no power figure: AWS publishes no per-chip TDP of Trainium1 and no paper"
    " measures one (Epoch leaves it empty)",
    "google-tpu-v5p": "no power figure: Google publishes no per-chip power of TPU v5p and no"
    " paper measures one (Epoch leaves it empty)",
    "google-tpu-v6e": "no power figure: Google publishes no per-chip power of TPU v6e and no"
    " paper measures one (Epoch leaves it empty)",
}
NO_POWER_YEAR = 2025
# PCIe cards whose SXM sibling has CCF's per-GPU idle/max: CCF's figures are the SXM
# module's (max above the card's TDP), so the card has none and W(u) falls back to TDP.
NO_IDLE_MAX_TEXT = (
    "idle/max W: none published for the PCIe card (Cloud Carbon Footprint's per-GPU figures"
    " describe the SXM module); the TDP is used"
)
NO_IDLE_MAX = ("nvidia-v100-pcie", "nvidia-a100-pcie", "nvidia-a100-pcie-40gb", "nvidia-h100-pcie")
# TDP known, measured average not: say so where the average would be.
NO_AVERAGE = {
    "google-tpu-v4": "average W: none in a shippable source (Patterson et al. 2021 measure no"
    " TPU v4 run); the TDP is used",
}
# Epoch leaves H200 memory blank; 141 GB HBM3e is the curated note (NVIDIA H200 datasheet).
MEMORY_OVERRIDES = {"nvidia-h200": Decimal(141)}
# Epoch's MTIA v2 "memory" is its 256 MB on-chip SRAM, not device memory: left out.
MEMORY_DROPPED = {"meta-mtia-v2"}


# Measured average watts per accelerator while training, as published (not a TDP).
MEASURED_AVERAGE: dict[str, tuple[float, str]] = {
    "nvidia-v100": (
        330,
        "Patterson et al. 2021, Carbon Emissions and Large Neural Network Training, Table 4: "
        "GPT-3 on V100, average system power per processor 330 W as stated by OpenAI/Microsoft",
    ),
    "google-tpu-v3": (
        283,
        "Patterson et al. 2021, Table 4: mean of the measured averages of T5 (310 W), Meena "
        "(289 W), GShard-600B (288 W) and Switch Transformer (245 W) on TPU v3",
    ),
}
CCF_WATTS_FILES = ("AwsFootprintEstimationConstants.ts", "AzureFootprintEstimationConstants.ts")


def ccf_gpu_watts(data: Path) -> dict[str, tuple[Decimal, Decimal, str]]:
    """Per-GPU idle (MIN) and full-load (MAX) watts from CCF's AWS and Azure constants."""
    found: dict[str, tuple[Decimal, Decimal, str]] = {}
    for name in CCF_WATTS_FILES:
        text = (data / "ccf" / name).read_text(encoding="utf-8")
        tables = []
        for table in ("MIN_WATTS_BY_COMPUTE_PROCESSOR", "MAX_WATTS_BY_COMPUTE_PROCESSOR"):
            start = text.index(table + ": {")
            body = text[start : text.index("}", start)]
            tables.append(
                {
                    CCF_PROCESSORS[p]: Decimal(w)
                    for p, w in re.findall(r"\[COMPUTE_PROCESSOR_TYPES\.(\w+)\]:\s*([0-9.]+)", body)
                    if p in CCF_PROCESSORS
                }
            )
        low, high = tables
        for acc_id in low.keys() & high.keys():
            value = (low[acc_id], high[acc_id], CCF.format(file=name) + ", 2022")
            if acc_id in found and found[acc_id][:2] != value[:2]:
                raise SystemExit(f"CCF files disagree on the watts of {acc_id}")
            found.setdefault(acc_id, value)
    return found


def green_algorithms_gpus(data: Path) -> dict[str, tuple[object, object, str]]:
    """The PCIe A100 rows of Green Algorithms' TDP_gpu.csv: id -> (TDP W, memory GB, source)."""
    lines = (data / "green-algorithms" / "TDP_gpu.csv").read_text(encoding="utf-8").splitlines()
    table = {r["model"].strip(): r for r in csv.DictReader(lines[1:])}
    found: dict[str, tuple[object, object, str]] = {}
    for acc_id, (row, memory, year) in GREEN_ALGORITHMS_GPUS.items():
        record = table[row]
        source = GREEN_ALGORITHMS_TDP.format(row=row, url=record["source"].strip(), year=year)
        found[acc_id] = (record["TDP"].strip(), memory, source + "; memory from the product name")
    return found


def accelerators(data: Path) -> list[list[object]]:
    ccf_watts = ccf_gpu_watts(data)
    epoch = {
        row["hardware_name"]: row
        for row in read_csv(data / "epoch-ml-hardware" / "accelerators_extract.csv")
    }
    non_epoch = {**NON_EPOCH, **green_algorithms_gpus(data)}
    rows: list[list[object]] = []
    for acc_id, vendor, architecture, generation, epoch_name, aliases in ACCELERATORS:
        year: int | None = CURATED_YEARS.get(acc_id)
        tdp: object = None
        memory: object = None
        tflops: object = None
        if epoch_name is not None:
            record = epoch[epoch_name]
            year = year or int(record["release_date"][:4])
            tdp = record["tdp_w"] or None
            if record["memory_bytes"] and acc_id not in MEMORY_DROPPED:
                memory = decimal_text(Decimal(record["memory_bytes"]) / 10**9)
            if record["tensor_fp16_bf16_flops"]:  # dense tensor FP16/BF16 peak
                tflops = decimal_text(Decimal(record["tensor_fp16_bf16_flops"]) / 10**12)
            source = EPOCH.format(year=record["epoch_last_modified"][:4], row=epoch_name)
        else:
            tdp, memory, source = non_epoch[acc_id]
        if acc_id in MEMORY_OVERRIDES:
            memory = decimal_text(MEMORY_OVERRIDES[acc_id])
        idle: object = None
        peak: object = None
        average: object = None
        power_sources: list[str] = []
        if acc_id in ccf_watts:
            low, high, ccf_source = ccf_watts[acc_id]
            idle, peak = decimal_text(low), decimal_text(high)
            power_sources.append(f"idle/max W: {ccf_source}, per-GPU MIN/MAX_WATTS")
        if acc_id in MEASURED_AVERAGE:
            average, average_source = MEASURED_AVERAGE[acc_id]
            power_sources.append(f"average W: {average_source}, 2021")
        if acc_id in NO_IDLE_MAX:
            power_sources.append(f"{NO_IDLE_MAX_TEXT}, {NO_POWER_YEAR}")
        if acc_id in NO_AVERAGE:
            power_sources.append(f"{NO_AVERAGE[acc_id]}, {NO_POWER_YEAR}")
        if acc_id in NO_POWER_FIGURE:
            if tdp is not None:
                raise SystemExit(f"{acc_id} has a TDP now: drop it from NO_POWER_FIGURE")
            power_sources.append(
                f"{NO_POWER_FIGURE[acc_id]}, checked {NO_POWER_YEAR}; declare hardware.powerWatts"
            )
        rows.append(
            [
                acc_id,
                aliases,
                vendor,
                architecture,
                generation,
                year,
                tdp,
                memory,
                f"{source}; {CURATED}",
                idle,
                peak,
                average,
                "; ".join(power_sources) or None,
                tflops,
            ]
        )
    rows.append(["cpu", "none|cpu|cpu-only", "cpu", "cpu", None, None, None, None,
                 "greengate: CPU-only deployments (no accelerator), 2025",
                 None, None, None, None, None])  # fmt: skip
    seen: dict[str, str] = {}
    for row in rows:
        for name in [str(row[0]), *str(row[1]).split("|")]:
            owner = seen.setdefault(accelerator_key(name), str(row[0]))
            if owner != row[0]:
                raise SystemExit(f"accelerator alias {name!r} of {row[0]} collides with {owner}")
    return rows


def architectures(accelerator_rows: list[list[object]]) -> list[list[object]]:
    first: dict[tuple[str, str], tuple[int, int | None]] = {}
    for row in accelerator_rows:
        vendor, architecture, generation, year = str(row[2]), str(row[3]), row[4], row[5]
        if generation is None:
            continue
        known = first.get((vendor, architecture))
        years = [y for y in (year, known[1] if known else None) if isinstance(y, int)]
        first[(vendor, architecture)] = (int(str(generation)), min(years) if years else None)
    source = (
        "accelerator_generations_curated.csv (facts), 2025; first_year = earliest catalogued launch"
    )
    return [
        [v, a, g, y, source]
        for (v, a), (g, y) in sorted(first.items(), key=lambda kv: (kv[0][0], kv[1][0], kv[0][1]))
    ]


# --- instance types -----------------------------------------------------------------------

CCF_PROCESSORS = {
    "NVIDIA_TESLA_K80": "nvidia-k80", "NVIDIA_K520": "nvidia-k520", "NVIDIA_TESLA_M60": "nvidia-m60",
    "NVIDIA_TESLA_P4": "nvidia-p4", "NVIDIA_TESLA_P40": "nvidia-p40", "NVIDIA_TESLA_P100": "nvidia-p100",
    "NVIDIA_TESLA_V100": "nvidia-v100", "NVIDIA_T4": "nvidia-t4", "NVIDIA_TESLA_A100": "nvidia-a100",
    "NVIDIA_A10G": "nvidia-a10g", "AMD_RADEON_PRO_V520": "amd-radeon-pro-v520",
    "XILINX_ALVEO_U250": "amd-alveo-u250",
}  # fmt: skip

AWS_NEWER: list[tuple[str, str, int | str]] = [
    ("p4de.24xlarge", "nvidia-a100", 8),
    ("p5.48xlarge", "nvidia-h100", 8),
    ("p5e.48xlarge", "nvidia-h200", 8),
    ("p5en.48xlarge", "nvidia-h200", 8),
    ("p6-b200.48xlarge", "nvidia-b200", 8),
    *[
        (f"g6.{size}", "nvidia-l4", 1)
        for size in ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge")
    ],
    ("g6.12xlarge", "nvidia-l4", 4),
    ("g6.24xlarge", "nvidia-l4", 4),
    ("g6.48xlarge", "nvidia-l4", 8),
    ("gr6.4xlarge", "nvidia-l4", 1),
    ("gr6.8xlarge", "nvidia-l4", 1),
    *[
        (f"g6e.{size}", "nvidia-l40s", 1)
        for size in ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge")
    ],
    ("g6e.12xlarge", "nvidia-l40s", 4),
    ("g6e.24xlarge", "nvidia-l40s", 4),
    ("g6e.48xlarge", "nvidia-l40s", 8),
    ("inf1.xlarge", "aws-inferentia", 1),
    ("inf1.2xlarge", "aws-inferentia", 1),
    ("inf1.6xlarge", "aws-inferentia", 4),
    ("inf1.24xlarge", "aws-inferentia", 16),
    ("inf2.xlarge", "aws-inferentia2", 1),
    ("inf2.8xlarge", "aws-inferentia2", 1),
    ("inf2.24xlarge", "aws-inferentia2", 6),
    ("inf2.48xlarge", "aws-inferentia2", 12),
    ("trn1.2xlarge", "aws-trainium", 1),
    ("trn1.32xlarge", "aws-trainium", 16),
    ("trn1n.32xlarge", "aws-trainium", 16),
    ("trn2.48xlarge", "aws-trainium2", 16),
    ("dl1.24xlarge", "intel-gaudi", 8),
]

SKYPILOT_ACCELERATORS = {
    "A100": "nvidia-a100", "A100-80GB": "nvidia-a100", "L4": "nvidia-l4", "H100": "nvidia-h100",
    "H100-MEGA": "nvidia-h100", "H200": "nvidia-h200", "B200": "nvidia-b200",
}  # fmt: skip

GCP_NEWER: list[tuple[str, str, int | str]] = [
    ("a3-edgegpu-8g", "nvidia-h100", 8),
    ("ct4p-hightpu-4t", "google-tpu-v4", 4),
    ("ct5lp-hightpu-1t", "google-tpu-v5e", 1),
    ("ct5lp-hightpu-4t", "google-tpu-v5e", 4),
    ("ct5lp-hightpu-8t", "google-tpu-v5e", 8),
    ("ct5p-hightpu-4t", "google-tpu-v5p", 4),
    ("ct6e-standard-1t", "google-tpu-v6e", 1),
    ("ct6e-standard-4t", "google-tpu-v6e", 4),
    ("ct6e-standard-8t", "google-tpu-v6e", 8),
    ("tpu7x-standard-4t", "google-tpu-v7", 4),
]

AZURE_NEWER: list[tuple[str, str, int | str]] = [
    ("Standard_NC24ads_A100_v4", "nvidia-a100-pcie", 1),
    ("Standard_NC48ads_A100_v4", "nvidia-a100-pcie", 2),
    ("Standard_NC96ads_A100_v4", "nvidia-a100-pcie", 4),
    ("Standard_ND96isr_H100_v5", "nvidia-h100", 8),
    ("Standard_ND96isr_H200_v5", "nvidia-h200", 8),
    ("Standard_NC40ads_H100_v5", "nvidia-h100-nvl", 1),
    ("Standard_NC80adis_H100_v5", "nvidia-h100-nvl", 2),
    # NVadsA10 v5 sizes below NV36 get a fraction of one A10, written exactly.
    ("Standard_NV6ads_A10_v5", "nvidia-a10", "1/6"),
    ("Standard_NV12ads_A10_v5", "nvidia-a10", "1/3"),
    ("Standard_NV18ads_A10_v5", "nvidia-a10", "1/2"),
    ("Standard_NV36ads_A10_v5", "nvidia-a10", 1),
    ("Standard_NV36adms_A10_v5", "nvidia-a10", 1),
    ("Standard_NV72ads_A10_v5", "nvidia-a10", 2),
    ("Standard_ND96isr_MI300X_v5", "amd-mi300x", 8),
]

# CCF names the ND A100 v4 size by its series; the ARM size name has no "A100".
AZURE_RENAMES = {"ND96asr A100 v4": "Standard_ND96asr_v4"}

# The variant each GPU instance family really has (CCF names one processor per chip):
# family prefix -> (accelerator id, what the provider's documentation says). Checked
# against the providers' instance documentation, 2025; a family not listed keeps the
# accelerator its source names.
VARIANTS: dict[tuple[str, str], tuple[str, str]] = {
    ("aws", "p3."): ("nvidia-v100", "V100 SXM2 16 GB (AWS EC2 P3 instance documentation, 2025)"),
    ("aws", "p3dn."): ("nvidia-v100", "V100 SXM2 32 GB (AWS EC2 P3 instance documentation, 2025)"),
    ("aws", "p4d."): ("nvidia-a100", "A100 SXM4 40 GB (AWS EC2 P4 instance documentation, 2025)"),
    ("aws", "p4de."): ("nvidia-a100", "A100 SXM4 80 GB (AWS EC2 P4 instance documentation, 2025)"),
    ("aws", "p5."): ("nvidia-h100", "H100 SXM 80 GB (AWS EC2 P5 instance documentation, 2025)"),
    ("aws", "p5e."): ("nvidia-h200", "H200 SXM (AWS EC2 P5 instance documentation, 2025)"),
    ("aws", "p5en."): ("nvidia-h200", "H200 SXM (AWS EC2 P5 instance documentation, 2025)"),
    ("azure", "Standard_NC6s_v3"): ("nvidia-v100-pcie", "V100 PCIe 16 GB (Azure NCv3-series documentation, 2025)"),
    ("azure", "Standard_NC12s_v3"): ("nvidia-v100-pcie", "V100 PCIe 16 GB (Azure NCv3-series documentation, 2025)"),
    ("azure", "Standard_NC24s_v3"): ("nvidia-v100-pcie", "V100 PCIe 16 GB (Azure NCv3-series documentation, 2025)"),
    ("azure", "Standard_NC24rs_v3"): ("nvidia-v100-pcie", "V100 PCIe 16 GB (Azure NCv3-series documentation, 2025)"),
    ("azure", "Standard_ND40rs_v2"): ("nvidia-v100", "V100 SXM2 32 GB (Azure NDv2-series documentation, 2025)"),
    **{("azure", f"Standard_NC{n}ads_A100_v4"): ("nvidia-a100-pcie", "A100 80 GB PCIe (Azure NC A100 v4-series documentation, 2025)")
       for n in (24, 48, 96)},
    ("azure", "Standard_ND96asr_v4"): ("nvidia-a100", "A100 SXM4 40 GB (Azure ND A100 v4-series documentation, 2025)"),
    ("azure", "Standard_ND96amsr_A100_v4"): ("nvidia-a100", "A100 SXM4 80 GB (Azure NDm A100 v4-series documentation, 2025)"),
    ("azure", "Standard_ND96isr_H100_v5"): ("nvidia-h100", "H100 SXM 80 GB (Azure ND H100 v5-series documentation, 2025)"),
    ("azure", "Standard_NC40ads_H100_v5"): ("nvidia-h100-nvl", "H100 NVL 94 GB (Azure NCads H100 v5-series documentation, 2025)"),
    ("azure", "Standard_NC80adis_H100_v5"): ("nvidia-h100-nvl", "H100 NVL 94 GB (Azure NCads H100 v5-series documentation, 2025)"),
    ("gcp", "a2-highgpu-"): ("nvidia-a100", "A100 SXM4 40 GB (Google Cloud A2 machine type documentation, 2025)"),
    ("gcp", "a2-megagpu-"): ("nvidia-a100", "A100 SXM4 40 GB (Google Cloud A2 machine type documentation, 2025)"),
    ("gcp", "a2-ultragpu-"): ("nvidia-a100", "A100 SXM4 80 GB (Google Cloud A2 machine type documentation, 2025)"),
    **{("gcp", f"a3-{kind}gpu-"): ("nvidia-h100", "H100 SXM 80 GB (Google Cloud A3 machine type documentation, 2025)")
       for kind in ("high", "mega", "edge")},
}  # fmt: skip


def ts_object(text: str, name: str) -> str:
    start = text.index(f"export const {name}")
    body = text[text.index("= {", start) :]
    return body[: body.index("\n}") + 2]


def ccf_instances(path: Path, counts_name: str, mapping_name: str) -> list[tuple[str, str, int]]:
    text = path.read_text(encoding="utf-8")
    key = r"(?:'([^']+)'|([A-Za-z0-9]+))"
    counts = {
        a or b: int(n) for a, b, n in re.findall(key + r":\s*(\d+),", ts_object(text, counts_name))
    }
    processors = {
        a or b: p
        for a, b, p in re.findall(
            key + r":\s*\[COMPUTE_PROCESSOR_TYPES\.(\w+)\]", ts_object(text, mapping_name)
        )
    }
    if counts.keys() != processors.keys():
        raise SystemExit(f"{path.name}: count and processor tables disagree")
    return [(name, CCF_PROCESSORS[processors[name]], count) for name, count in counts.items()]


def ccf_host_sizes(data: Path) -> dict[tuple[str, str], tuple[object, object, str]]:
    """vCPUs and memory GB per instance type from CCF's tables: (provider, name) -> (vcpus, GB, table).

    AWS ``EC2_INSTANCE_TYPES`` and Azure ``VIRTUAL_MACHINE_TYPE_SERIES_MAPPING`` give
    ``[vcpus, memory, embodied]``; GCP ``MACHINE_FAMILY_TO_MACHINE_TYPE_MAPPING`` gives
    ``[vcpus, embodied]`` only, so GCP memory stays unknown.
    """
    sizes: dict[tuple[str, str], tuple[object, object, str]] = {}
    entry = r"(?:'([^']+)'|(\w+)): \[([\d.]+), ([\d.]+)(?:, [\d.]+)?\]"
    aws = (data / "ccf" / "AWSInstanceTypes.ts").read_text(encoding="utf-8")
    table = ts_object(aws, "EC2_INSTANCE_TYPES")
    for family, body in re.findall(r"^  '?([\w.-]+)'?: \{(.*?)^  \},", table, re.M | re.S):
        for quoted, bare, vcpus, memory in re.findall(entry, body):
            sizes[("aws", f"{family}.{quoted or bare}")] = (vcpus, memory, "AWSInstanceTypes.ts")
    azure = (data / "ccf" / "VirtualMachineTypes.ts").read_text(encoding="utf-8")
    for quoted, bare, vcpus, memory in re.findall(
        r"^    " + entry, ts_object(azure, "VIRTUAL_MACHINE_TYPE_SERIES_MAPPING"), re.M
    ):
        name = quoted or bare
        size = AZURE_RENAMES.get(name, "Standard_" + name.replace(" ", "_"))
        sizes[("azure", size)] = (vcpus, memory, "VirtualMachineTypes.ts")
    gcp = (data / "ccf" / "MachineTypes.ts").read_text(encoding="utf-8")
    for name, vcpus in re.findall(
        r"^    '([\w-]+)': \[(\d+), [\d.]+\]",
        ts_object(gcp, "MACHINE_FAMILY_TO_MACHINE_TYPE_MAPPING"),
        re.M,
    ):
        sizes[("gcp", name)] = (vcpus, None, "MachineTypes.ts")
    return sizes


def variant_of(provider: str, name: str) -> tuple[str, str] | None:
    found = [v for (p, prefix), v in VARIANTS.items() if p == provider and name.startswith(prefix)]
    if len(found) > 1:
        raise SystemExit(f"instance type {name} matches several VARIANTS entries")
    return found[0] if found else None


def instance_types(data: Path, accelerator_ids: set[str]) -> list[list[object]]:
    ccf = data / "ccf"
    listed: list[tuple[str, str, str, int | str, str]] = []
    aws_source = CCF.format(file="AWSInstanceTypes.ts") + ", 2022"
    for name, acc, count in ccf_instances(
        ccf / "AWSInstanceTypes.ts", "GPU_INSTANCES_TYPES", "INSTANCE_TYPE_GPU_PROCESSOR_MAPPING"
    ):
        listed.append(("aws", name, acc, count, aws_source))
    listed += [("aws", name, acc, count, AWS_DOCS) for name, acc, count in AWS_NEWER]
    for record in read_csv(data / "skypilot" / "gcp_acc_instance_types_from_gcp_catalog_py.csv"):
        acc = SKYPILOT_ACCELERATORS[record["accelerator_name"]]
        listed.append(
            ("gcp", record["instance_type"], acc, int(record["accelerator_count"]), SKYPILOT)
        )
    listed += [("gcp", name, acc, count, GCP_DOCS) for name, acc, count in GCP_NEWER]
    azure_source = CCF.format(file="VirtualMachineTypes.ts") + ", 2022"
    for name, acc, count in ccf_instances(
        ccf / "VirtualMachineTypes.ts",
        "GPU_VIRTUAL_MACHINE_TYPES",
        "GPU_VIRTUAL_MACHINE_TYPE_PROCESSOR_MAPPING",
    ):
        size = AZURE_RENAMES.get(name, "Standard_" + name.replace(" ", "_"))
        listed.append(("azure", size, acc, count, azure_source))
    listed += [("azure", name, acc, count, AZURE_DOCS) for name, acc, count in AZURE_NEWER]
    hosts = ccf_host_sizes(data)
    used_variants: set[str] = set()
    rows: list[list[object]] = []
    for provider, name, acc, count, source in listed:
        variant = variant_of(provider, name)
        if variant is not None:
            acc, what = variant
            used_variants.add(what)
            source += f"; variant: {what}"
        vcpus: object = None
        memory: object = None
        if (provider, name) in hosts:
            vcpus, memory, table = hosts[(provider, name)]
            what = "vCPUs and memory" if memory is not None else "vCPUs (no memory figure)"
            source += f"; {what}: {CCF.format(file=table)}, 2022"
        rows.append([provider, name, acc, count, source, vcpus, memory])
    if used_variants != {what for _, what in VARIANTS.values()}:
        raise SystemExit("a VARIANTS entry matches no instance type")
    seen = set()
    for row in rows:
        if row[2] not in accelerator_ids:
            raise SystemExit(f"instance type {row[1]} names unknown accelerator {row[2]}")
        key = (row[0], str(row[1]).lower())
        if key in seen:
            raise SystemExit(f"duplicate instance type {row[1]}")
        seen.add(key)
    return rows


# --- models ---------------------------------------------------------------------------------

# EcoLogits entries whose count is the packed size of 4-bit weights, not the model's.
ECOLOGITS_EXCLUDED = {"CohereForAI/c4ai-command-r-plus-4bit", "CohereForAI/c4ai-command-r-v01-4bit"}
# Names people use for EcoLogits entries (HF renamed Meta-Llama-3.1-* to Llama-3.1-*).
ECOLOGITS_ALIASES = {
    "meta-llama/Meta-Llama-3-8B": "Llama-3-8B",
    "meta-llama/Meta-Llama-3-8B-Instruct": "Llama-3-8B-Instruct",
    "meta-llama/Meta-Llama-3-70B": "Llama-3-70B",
    "meta-llama/Meta-Llama-3-70B-Instruct": "Llama-3-70B-Instruct",
    "meta-llama/Meta-Llama-3.1-8B": "meta-llama/Llama-3.1-8B",
    "meta-llama/Meta-Llama-3.1-8B-Instruct": "meta-llama/Llama-3.1-8B-Instruct",
    "meta-llama/Meta-Llama-3.1-70B": "meta-llama/Llama-3.1-70B",
    "meta-llama/Meta-Llama-3.1-70B-Instruct": "meta-llama/Llama-3.1-70B-Instruct",
    "meta-llama/Meta-Llama-3.1-405B": "meta-llama/Llama-3.1-405B",
    "meta-llama/Meta-Llama-3.1-405B-Instruct": "meta-llama/Llama-3.1-405B-Instruct",
    "meta-llama/Meta-Llama-3.1-405B-FP8": "meta-llama/Llama-3.1-405B-FP8",
    "meta-llama/Meta-Llama-3.1-405B-Instruct-FP8": "meta-llama/Llama-3.1-405B-Instruct-FP8",
    "mistralai/Mixtral-8x7B-v0.1": "Mixtral-8x7B",
    "mistralai/Mixtral-8x22B-v0.1": "Mixtral-8x22B",
}


def hf(
    model_id: str, aliases: str, parameters: str, year: int, active: str = "", note: str = ""
) -> list[object]:
    source = f"Hugging Face model card https://huggingface.co/{model_id}, released {year}{note}"
    return [model_id, aliases, parameters, active, source]


def with_instruct(
    model_id: str, parameters: str, year: int, suffix: str = "-Instruct"
) -> list[list[object]]:
    return [hf(model_id, "", parameters, year), hf(model_id + suffix, "", parameters, year)]


CODEGEN_NOTE = "; size from the CodeGen paper arXiv:2203.13474"
FLAN_NOTE = "; size from the Flan paper arXiv:2210.11416"
SDXL_NOTE = "; size from Stability AI's SDXL 1.0 announcement (3.5B base model)"

CURATED_MODELS: list[list[object]] = [
    *with_instruct("meta-llama/Llama-3.2-1B", "1.24B", 2024),
    *with_instruct("meta-llama/Llama-3.2-3B", "3.21B", 2024),
    hf("meta-llama/Llama-3.3-70B-Instruct", "", "70.6B", 2024),
    *[hf(f"google/gemma-3-{size}-{kind}", "", params, 2025)
      for size, params in (("1b", "1B"), ("4b", "4.3B"), ("12b", "12.2B"), ("27b", "27.4B"))
      for kind in ("pt", "it")],
    *with_instruct("Qwen/Qwen2-0.5B", "0.49B", 2024),
    *with_instruct("Qwen/Qwen2-1.5B", "1.54B", 2024),
    *with_instruct("Qwen/Qwen2-72B", "72.7B", 2024),
    *[row for size, params in (("0.5B", "0.49B"), ("1.5B", "1.54B"), ("3B", "3.09B"), ("7B", "7.61B"),
                                ("14B", "14.7B"), ("32B", "32.5B"), ("72B", "72.7B"))
      for row in with_instruct(f"Qwen/Qwen2.5-{size}", params, 2024)],
    *with_instruct("tiiuae/falcon-7b", "7B", 2023, "-instruct"),
    *with_instruct("tiiuae/falcon-40b", "40B", 2023, "-instruct"),
    *with_instruct("tiiuae/falcon-180B", "180B", 2023, "-chat"),
    *[hf(f"Salesforce/codegen-{size}-{kind}", "", params, 2022, note=CODEGEN_NOTE)
      for size, params in (("350M", "350M"), ("2B", "2.7B"), ("6B", "6.1B"), ("16B", "16.1B"))
      for kind in ("mono", "multi", "nl")],
    *[hf(f"Salesforce/codegen25-7b-{kind}", f"Salesforce/codegen25-7b-{kind}_P", "7B", 2023)
      for kind in ("mono", "multi", "instruct")],
    hf("google-bert/bert-base-uncased", "bert-base-uncased", "110M", 2018),
    hf("google-bert/bert-base-cased", "bert-base-cased", "110M", 2018),
    hf("google-bert/bert-large-uncased", "bert-large-uncased", "340M", 2018),
    hf("google-bert/bert-large-cased", "bert-large-cased", "340M", 2018),
    hf("distilbert/distilbert-base-uncased", "distilbert-base-uncased", "66M", 2019),
    hf("FacebookAI/roberta-base", "roberta-base", "125M", 2019),
    hf("FacebookAI/roberta-large", "roberta-large", "355M", 2019),
    *[hf(f"google-t5/t5-{size}", f"t5-{size}", params, 2019)
      for size, params in (("small", "60M"), ("base", "220M"), ("large", "770M"), ("3b", "3B"), ("11b", "11B"))],
    *[hf(f"google/flan-t5-{size}", "", params, 2022, note=FLAN_NOTE)
      for size, params in (("small", "80M"), ("base", "250M"), ("large", "780M"), ("xl", "3B"), ("xxl", "11B"))],
    hf("microsoft/phi-2", "", "2.7B", 2023),
    hf("microsoft/Phi-3.5-mini-instruct", "", "3.82B", 2024),
    hf("bigcode/starcoder", "", "15.5B", 2023),
    hf("bigcode/starcoder2-3b", "", "3B", 2024),
    hf("bigcode/starcoder2-7b", "", "7B", 2024),
    hf("bigcode/starcoder2-15b", "", "15B", 2024),
    hf("sentence-transformers/all-MiniLM-L6-v2", "", "22.7M", 2021),
    hf("BAAI/bge-large-en-v1.5", "", "335M", 2023),
    hf("BAAI/bge-large-en", "", "335M", 2023),
    hf("intfloat/e5-large", "", "335M", 2022),
    hf("intfloat/e5-large-v2", "", "335M", 2023),
    hf("intfloat/multilingual-e5-large", "", "560M", 2023),
    *[hf(f"openai/whisper-{size}", "", params, year)
      for size, params, year in (("tiny", "39M", 2022), ("base", "74M", 2022), ("small", "244M", 2022),
                                 ("medium", "769M", 2022), ("large", "1550M", 2022), ("large-v2", "1550M", 2022),
                                 ("large-v3", "1550M", 2023), ("large-v3-turbo", "809M", 2024))],
    hf("stabilityai/stable-diffusion-xl-base-1.0", "stable-diffusion-xl|sdxl", "3.5B", 2023, note=SDXL_NOTE),
    hf("black-forest-labs/FLUX.1-dev", "FLUX.1", "12B", 2024),
    hf("black-forest-labs/FLUX.1-schnell", "", "12B", 2024),
    *[hf(f"facebook/opt-{size}", "", size.upper(), 2022)
      for size in ("125m", "350m", "1.3b", "2.7b", "6.7b", "13b", "30b", "66b")],
    hf("openai-community/gpt2", "gpt2", "124M", 2019),
    hf("openai-community/gpt2-medium", "gpt2-medium", "355M", 2019),
    hf("openai-community/gpt2-large", "gpt2-large", "774M", 2019),
    hf("openai-community/gpt2-xl", "gpt2-xl", "1.5B", 2019),
    hf("deepseek-ai/DeepSeek-V3", "", "671B", 2024, active="37B"),
    hf("deepseek-ai/DeepSeek-R1", "", "671B", 2025, active="37B"),
    hf("deepseek-ai/DeepSeek-V3.1", "", "671B", 2025, active="37B"),
    # Mixtures of experts whose names state only the active count (17B-16E): the total
    # is what the model card says ("17B active parameters, 109B total").
    *[hf(f"meta-llama/Llama-4-Scout-17B-16E{kind}", "", "109B", 2025, active="17B")
      for kind in ("", "-Instruct")],
    *[hf(f"meta-llama/Llama-4-Maverick-17B-128E{kind}", "", "400B", 2025, active="17B")
      for kind in ("", "-Instruct", "-Instruct-FP8")],
    *[hf(f"Qwen/Qwen3-235B-A22B{kind}", "", "235B", 2025, active="22B")
      for kind in ("", "-FP8", "-Instruct-2507", "-Thinking-2507")],
    *[hf(f"Qwen/Qwen3-30B-A3B{kind}", "", "30.5B", 2025, active="3.3B")
      for kind in ("", "-FP8", "-Instruct-2507", "-Thinking-2507")],
    *[hf(f"Qwen/Qwen3-Next-80B-A3B-{kind}", "", "80B", 2025, active="3B")
      for kind in ("Instruct", "Thinking")],
    *[hf(f"Qwen/Qwen3-{size}", "", params, 2025)
      for size, params in (("0.6B", "0.6B"), ("1.7B", "1.7B"), ("4B", "4.0B"), ("8B", "8.2B"),
                           ("14B", "14.8B"), ("32B", "32.8B"))],
    *[hf(f"moonshotai/Kimi-K2-{kind}", "", "1T", 2025, active="32B") for kind in ("Base", "Instruct")],
    hf("bigscience/bloom", "", "176B", 2022),
    hf("microsoft/phi-4", "", "14.7B", 2024),
]  # fmt: skip


def billions(value: object) -> int:
    count = parse_parameter_count(f"{Decimal(str(value))}B")
    if count is None:
        raise SystemExit(f"bad EcoLogits parameter value {value!r}")
    return count


def models(data: Path) -> list[list[object]]:
    document = json.loads((data / "ecologits" / "models.json").read_text(encoding="utf-8"))
    rows: list[list[object]] = []
    for model in document["models"]:
        name, params = model["name"], model["architecture"]["parameters"]
        warnings = model.get("warnings") or []
        # Estimates for closed models (ranges, or a total with an active range) are
        # guesses, not facts: a size policy must not pass or fail on them.
        if "model-arch-not-released" in warnings or name in ECOLOGITS_EXCLUDED:
            continue
        if isinstance(params, dict):
            if not all(isinstance(params.get(k), (int, float)) for k in ("total", "active")):
                continue
            total, active = billions(params["total"]), billions(params["active"])
        else:
            total, active = billions(params), None
        url = (
            model["sources"][0]
            if model.get("sources")
            else "https://github.com/genai-impact/ecologits"
        )
        rows.append(
            [name, ECOLOGITS_ALIASES.get(name, ""), total, active, ECOLOGITS.format(url=url)]
        )
    for model_id, aliases, size, active_size, source in CURATED_MODELS:
        count = parse_parameter_count(size)
        active_count = parse_parameter_count(active_size) if active_size else None
        if count is None or (active_size and active_count is None):
            raise SystemExit(f"bad curated parameter count for {model_id}")
        rows.append([model_id, aliases, count, active_count, source])
    seen: dict[str, str] = {}
    for row in rows:
        for name in [str(row[0]), *filter(None, str(row[1]).split("|"))]:
            owner = seen.setdefault(model_key(name), str(row[0]))
            if owner != row[0]:
                raise SystemExit(f"model name {name!r} of {row[0]} collides with {owner}")
    return rows


MODELS_PREAMBLE = """\
# SPDX-License-Identifier: MPL-2.0
# This file is licensed under the Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/)
# because it contains rows taken from genai-impact/ecologits, ecologits/data/models.json
# (MPL-2.0, https://github.com/genai-impact/ecologits, v0.9.1). The other rows are facts
# from the Hugging Face model cards named in their source column.
# Generated by scripts/build_catalog.py; see SOURCES.md.
"""


# --- PUE ------------------------------------------------------------------------------------


# Each provider's latest published fleet PUE (provider-pue/provider_pue.csv): the
# metric kept per provider, and the period it describes where the row names a
# year. No provider publishes per-region PUE in a source greengate may ship.
FLEET_PUE: dict[str, tuple[str, str | None, int | None]] = {
    "aws": ("global_pue", None, None),  # the latest period
    # 1.09 for 2024 comes from a secondary summary only: the provider's 2023 figure is used
    "gcp": ("fleet_average_annual_pue", "2023", 2023),
    # trade press, December 2024, period not stated: recorded as 2024
    "azure": ("global_facility_average_pue", "as reported Dec 2024 (period not stated)", 2024),
}
PUE_PROVIDER = {"aws": "aws", "google": "gcp", "microsoft": "azure"}


def pue(data: Path) -> list[list[object]]:
    rows: list[list[object]] = []
    published = read_csv(data / "provider-pue" / "provider_pue.csv")
    for provider, (metric, period, year) in sorted(FLEET_PUE.items()):
        candidates = [
            r
            for r in published
            if PUE_PROVIDER.get(r["provider"]) == provider and r["metric"] == metric
        ]
        if period is None:
            record = max(candidates, key=lambda r: int(r["period"]))
        else:
            record = next(r for r in candidates if r["period"] == period)
        described = int(record["period"]) if year is None else year
        source = (
            f"{record['source_kind']}, {record['source_url']}: {metric} {record['value']}, "
            f"{record['period']} (provider-pue research file)"
        )
        rows.append([provider, record["value"], described, source])
    lines = (
        (data / "green-algorithms" / "defaults_PUE.csv")
        .read_text(encoding="utf-8")
        .splitlines()[1:]
    )
    for record in csv.DictReader(lines):
        provider = record["provider"].strip().lower()
        if provider in ("aws", "azure", "gcp"):
            continue  # the providers' own published figures are used for these
        url = record["source"].split()[-1]
        year = 2024 if provider == "unknown" else 2023  # Uptime 2024 survey; 2023 blog post
        source = GREEN_ALGORITHMS.format(year=year, url=url)
        if provider == "unknown":  # the on-prem / other-provider default
            source = (
                f"Uptime Institute Global Data Center Survey 2024 industry average, via {source}"
            )
        rows.append([provider, record["PUE"], year, source])
    return rows


# --- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO / "src" / "greengate" / "catalog" / "data")
    args = parser.parse_args(argv)
    data, out = args.data, args.out

    accelerator_rows = accelerators(data)
    counts = {
        "regions.csv": write_csv(out / "regions.csv", REGION_COLUMNS, region_rows(data)),
        "accelerators.csv": write_csv(
            out / "accelerators.csv",
            [
                "id",
                "aliases",
                "vendor",
                "architecture",
                "generation",
                "launch_year",
                "tdp_watts",
                "memory_gb",
                "source",
                "idle_watts",
                "max_watts",
                "average_watts",
                "power_source",
                "fp16_tflops",
            ],
            accelerator_rows,
        ),
        "architectures.csv": write_csv(
            out / "architectures.csv",
            ["vendor", "architecture", "generation", "first_year", "source"],
            architectures(accelerator_rows),
        ),
        "instance_types.csv": write_csv(
            out / "instance_types.csv",
            ["provider", "instance_type", "accelerator", "count", "source", "vcpus", "memory_gb"],
            instance_types(data, {str(row[0]) for row in accelerator_rows}),
        ),
        "models.csv": write_csv(
            out / "models.csv",
            ["id", "aliases", "parameters", "active_parameters", "source"],
            models(data),
            MODELS_PREAMBLE,
        ),
        "pue.csv": write_csv(out / "pue.csv", ["provider", "pue", "year", "source"], pue(data)),
    }
    for name, count in counts.items():
        print(f"{name}: {count} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
