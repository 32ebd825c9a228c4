"""Tests for loaders.gazetteer: the vocabulary files and the agency/sector/place look-ups."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from loaders.gazetteer import (
    AGENCY_KINDS,
    DEFAULT_VOCAB_DIR,
    GazetteerError,
    load_gazetteer,
)

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


# ------------------------------------------------------------------ agencies


@pytest.mark.parametrize(
    "written, canonical",
    [
        ("市经济信息化委", "市经济信息化委"),
        ("市经信委", "市经济信息化委"),
        ("上海市经济和信息化委员会", "市经济信息化委"),
        ("上海市经济信息化委", "市经济信息化委"),  # 上海市 prefix variant
        ("市经济信\n息化委", "市经济信息化委"),  # broken across lines
        ("（市科委）", "市科委"),  # surrounding punctuation
        ("上海市发展和改革委员会", "市发展改革委"),
        ("浦东新区人民政府", "浦东新区政府"),
        ("上海市浦东新区人民政府", "浦东新区政府"),
        ("浦东新区", "浦东新区政府"),
        ("各区人民政府", "各区政府"),
        ("国家税务总局上海市税务局", "市税务局"),
        ("上海市税务局", "市税务局"),
        ("上海银保监局", "金融监管总局上海监管局"),  # the older name
        ("上海市人民政府", "市政府"),
        ("上海市人民政府办公厅", "市政府办公厅"),
        ("市人民政府", "市政府"),
    ],
)
def test_resolve_agency(gaz, written, canonical):
    agency = gaz.resolve_agency(written)
    assert agency is not None, written
    assert agency.name == canonical
    assert gaz.agency_id(written) == f"agency:{canonical}"


@pytest.mark.parametrize("written", ["市某某委", "公安局", "人民政府", "经济信息化委", "市经济信息", ""])
def test_uncatalogued_agency_is_none(gaz, written):
    assert gaz.resolve_agency(written) is None


def test_uncatalogued_agency_id_is_derived_from_cleaned_name(gaz):
    assert gaz.agency_id(" 市某某\n办公室、") == "agency:市某某办公室"


def test_full_names(gaz):
    assert gaz.resolve_agency("市经济信息化委").full_name == "上海市经济和信息化委员会"
    assert gaz.resolve_agency("市人力资源社会保障局").full_name == "上海市人力资源和社会保障局"
    assert gaz.resolve_agency("市委网信办").kind == "party_organ"
    assert gaz.resolve_agency("杨浦区政府").kind == "district_government"
    assert gaz.resolve_agency("各区政府").kind == "group"


def _responsibility_names(path: Path) -> list[str]:
    text = re.sub(r"\s+", "", path.read_text(encoding="utf-8"))
    names = []
    for clause in re.findall(r"责任(?:部门|单位)[:：]([^)）]*)", text):
        names.extend(n for n in re.split(r"[、,，]", clause) if n)
    return names


@pytest.mark.parametrize("source", ["002_eb27fe6b47101308.txt", "003_3a33eb2e0612dacc.txt"])
def test_every_agency_in_the_corpus_responsibility_clauses_is_catalogued(gaz, source):
    names = _responsibility_names(CORPUS / source)
    assert len(names) > 30
    missing = sorted({n for n in names if gaz.resolve_agency(n) is None})
    assert missing == []


def test_all_district_governments(gaz):
    districts = [a for a in gaz.agencies if a.kind == "district_government"]
    assert len(districts) == 16
    for place in gaz.places:
        if place.kind == "district" and place.district is not None:  # Shanghai's (吴江区, 嘉善县: district null)
            assert gaz.resolve_agency(place.name + "人民政府") is not None


def test_agency_entries_well_formed(gaz):
    assert len(gaz.agencies) >= 100
    for agency in gaz.agencies:
        assert agency.kind in AGENCY_KINDS
        assert agency.id == f"agency:{agency.name}"
        assert set(agency.clause_only_aliases) <= set(agency.aliases)


# ------------------------------------------------------------------ sectors


@pytest.mark.parametrize(
    "group, members",
    [
        ("new_digital_industries", ["digital_health", "smart_manufacturing", "low_carbon_energy",
                                    "digital_retail", "digital_finance", "smart_city"]),
        ("new_data_factors", ["data_products_services", "digital_content", "digital_trade",
                              "digital_design", "digital_security"]),
        ("new_digital_infrastructure", ["software_algorithms", "cloud_native_intelligent_computing",
                                        "next_gen_network", "blockchain", "metaverse"]),
        ("smart_terminals", ["intelligent_connected_vehicles", "smart_wearables", "service_robots",
                             "smart_commercial_terminals", "smart_home_devices", "smart_medical_devices"]),
    ],
)
def test_five_year_plan_task_groups(gaz, group, members):
    assert set(members) <= set(gaz.sector_children(group))
    assert gaz.sector(group).broader == "digital_economy"


def test_sector_ancestors(gaz):
    assert gaz.sector_ancestors("online_healthcare") == ["online_new_economy", "digital_economy"]
    assert gaz.sector_ancestors("digital_health") == ["new_digital_industries", "digital_economy"]
    assert gaz.sector_ancestors("digital_economy") == []
    assert gaz.sector("online_healthcare").level == 3
    with pytest.raises(KeyError, match="Available ids"):
        gaz.sector_ancestors("no_such_sector")


def test_sector_phrases_are_unique_and_precise(gaz):
    seen = {}
    for sector in gaz.sectors:
        for phrase in sector.phrases:
            assert phrase not in seen, (phrase, sector.id, seen.get(phrase))
            seen[phrase] = sector.id
    assert "医疗" not in seen  # too broad for 在线医疗


# ------------------------------------------------------------------ places


def test_places(gaz):
    assert sum(1 for p in gaz.places if p.kind == "district" and p.district is not None) == 16  # Shanghai's
    towns = gaz.place("five_new_towns")
    assert [gaz.place(m).name for m in towns.members] == ["嘉定新城", "青浦新城", "松江新城", "奉贤新城", "南汇新城"]
    parks = gaz.place("three_eco_parks")
    assert {gaz.place(m).district for m in parks.members} == {"杨浦区", "浦东新区", "长宁区"}
    assert gaz.resolve_place("三个在线新经济生态园").id == "three_eco_parks"
    assert gaz.resolve_place("上海数据交易所") is None  # an institution, not a place
    assert gaz.place("nanhui_new_town").within == "lingang_special_area"


def test_load_is_cached_per_folder():
    assert load_gazetteer() is load_gazetteer(DEFAULT_VOCAB_DIR)


# ------------------------------------------------------------------ validation


def _vocab_copy(tmp_path: Path, agencies_yaml: str | None = None, places_yaml: str | None = None) -> Path:
    for name in ("agencies.yaml", "sectors.yaml", "places.yaml"):
        shutil.copy(DEFAULT_VOCAB_DIR / name, tmp_path / name)
    if agencies_yaml is not None:
        (tmp_path / "agencies.yaml").write_text(agencies_yaml, encoding="utf-8")
    if places_yaml is not None:
        (tmp_path / "places.yaml").write_text(places_yaml, encoding="utf-8")
    return tmp_path


def test_duplicate_alias_error_names_file_and_entry(tmp_path):
    vocab = _vocab_copy(
        tmp_path,
        agencies_yaml="""agencies:
  - {name: 市经济信息化委, full_name: 上海市经济和信息化委员会, aliases: [市经信委], kind: municipal_commission}
  - {name: 市科委, full_name: 上海市科学技术委员会, aliases: [市经信委], kind: municipal_commission}
""",
    )
    with pytest.raises(GazetteerError) as err:
        load_gazetteer(vocab)
    message = str(err.value)
    assert "agencies.yaml" in message and "市科委" in message and "市经信委" in message
    assert "市经济信息化委" in message


def test_unknown_kind_lists_valid_kinds(tmp_path):
    vocab = _vocab_copy(
        tmp_path,
        agencies_yaml="agencies:\n  - {name: 市科委, full_name: 上海市科学技术委员会, aliases: [], kind: ministry}\n",
    )
    with pytest.raises(GazetteerError, match=r"agencies\.yaml.*市科委.*ministry.*municipal_commission"):
        load_gazetteer(vocab)


def test_malformed_yaml_names_the_file(tmp_path):
    vocab = _vocab_copy(tmp_path, places_yaml="places:\n  - {id: x, name: [unclosed\n")
    with pytest.raises(GazetteerError, match=r"places\.yaml.*invalid YAML"):
        load_gazetteer(vocab)


def test_place_with_unknown_parent(tmp_path):
    vocab = _vocab_copy(
        tmp_path,
        places_yaml="places:\n  - {id: a_park, name: 某园, kind: park, district: null, aliases: [], within: nowhere}\n",
    )
    with pytest.raises(GazetteerError, match=r"places\.yaml.*a_park.*nowhere"):
        load_gazetteer(vocab)
