"""Hypothesis strategies for what a visitor may type or put in an address."""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.hardening.support import XSS_PAYLOADS

# Each example is a real request (or two) against a real database: few, and no deadline.
# The ``app`` and ``client`` fixtures are shared by the examples of one test on purpose:
# rows pile up, which is what a site sees; the limiter is reset before each example.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Any unicode a form can carry (surrogates cannot be encoded as UTF-8 at all).
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
with_nul = st.tuples(any_text, any_text).map(lambda parts: parts[0] + "\x00" + parts[1])
long_text = st.integers(min_value=201, max_value=20_000).map(lambda n: "é" * n)
# Larger than MAX_CONTENT_LENGTH (256 KiB) once posted: the request body is refused whole.
huge_text = st.integers(min_value=270_000, max_value=400_000).map(lambda n: "A" * n)
markup = st.sampled_from(XSS_PAYLOADS)
controls = st.text(alphabet=st.sampled_from("\r\n\t\x0b\x0c\x1b\u2028\u202e\ufeff"), max_size=20)

fuzz_text = st.one_of(
    any_text,
    markup,
    markup.flatmap(lambda p: any_text.map(lambda t: f"{t}{p}{t}")),
    controls,
    with_nul,
    long_text,
    huge_text,
    st.just(""),
    st.just("{{7*7}}"),
)


@st.composite
def form(draw: st.DrawFn, valid: dict[str, object]) -> dict[str, object]:
    """A valid form (values may be strategies) with up to three fields replaced by fuzz.

    Fuzzing a few fields at a time keeps many requests valid enough to be stored, so what
    is stored gets checked too, not only what is refused.
    """
    data = {
        name: draw(value) if isinstance(value, st.SearchStrategy) else value
        for name, value in valid.items()
    }
    for name in draw(st.sets(st.sampled_from(sorted(valid)), max_size=3)):
        data[name] = draw(fuzz_text)
    return data
