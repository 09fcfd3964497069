"""The labeling config is what Label Studio's own parser understands."""

from label_studio_sdk.label_interface import LabelInterface

from annotate.labeling import LABELS, labeling_config


def test_config_parses_with_sdk_and_has_contract_names():
    li = LabelInterface(labeling_config())
    label = li.get_control("label")
    assert set(label.labels) == set(LABELS)
    for name in ("quote_type", "polarity", "target"):
        assert li.get_control(name) is not None
    assert "said_by" in labeling_config() and "refers_to" in labeling_config()
    assert 'value="$targets"' in labeling_config()


def test_converted_predictions_pass_sdk_validation():
    from annotate import convert_text

    from .conftest import SEEDS

    li = LabelInterface(labeling_config())
    for path in sorted(SEEDS.glob("*.txt")):
        task = convert_text(path.read_text())
        ok = li.validate_prediction(task["predictions"][0], return_errors=True)
        assert ok is True or ok == [], (path.name, ok)
