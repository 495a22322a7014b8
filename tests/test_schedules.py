import pytest

from sklearn_losslab.schedules import Adaptive, Constant, InvScaling


def test_constant():
    s = Constant(0.1)
    assert s.iteration_ends(0.1, 1000) == 0.1
    assert s.on_plateau(0.1) is None


def test_invscaling_matches_mlp_formula():
    s = InvScaling(0.5, power_t=0.25)
    assert s.iteration_ends(0.5, 80) == pytest.approx(0.5 / 81**0.25, rel=1e-15)
    assert s.on_plateau(0.2) is None


def test_adaptive_divides_by_five_until_below_1e_6():
    s = Adaptive(0.1)
    assert s.iteration_ends(0.1, 100) == 0.1
    rate, plateaus = 0.1, 0
    while (new := s.on_plateau(rate)) is not None:
        assert new == pytest.approx(rate / 5)
        rate, plateaus = new, plateaus + 1
    # 0.1 / 5**k <= 1e-6 first for k = 8 (2.56e-7); no further division.
    assert plateaus == 8
    assert rate == pytest.approx(0.1 / 5**8)
