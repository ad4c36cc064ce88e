"""Password rules and hashing for moderator accounts.

Hashes are werkzeug's scrypt (memory-hard, no length truncation). The rules follow current
guidance for memorised secrets: a minimum length, a generous maximum, and a refusal of
passwords that appear in a list of commonly used ones. That list is the "passwords" frequency
list shipped by the ``zxcvbn`` package (30,000 entries drawn from leaked password sets).
"""

from functools import cache

from flask_babel import gettext
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
# Generous, so pass phrases and password-manager output fit; a bound all the same, so a
# megabyte "password" costs nothing to refuse.
MAX_LENGTH = 1024
HASH_METHOD = "scrypt"


class WeakPassword(ValueError):
    """A password that the rules refuse; the message says why, for the person choosing it."""


@cache
def common_passwords() -> frozenset[str]:
    """Commonly used passwords, lower-cased (loaded once, on first use)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def check_strength(password: str, *, email: str = "") -> None:
    """Raise ``WeakPassword`` unless ``password`` follows the rules."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            gettext("The password must be at least %(num)d characters long.", num=MIN_LENGTH)
        )
    if len(password) > MAX_LENGTH:
        raise WeakPassword(
            gettext("The password must be at most %(num)d characters long.", num=MAX_LENGTH)
        )
    folded = password.strip().lower()
    if folded in common_passwords():
        raise WeakPassword(gettext("This password is too common; choose another one."))
    if len(set(folded)) < 3:
        raise WeakPassword(gettext("The password repeats too few characters; choose another one."))
    if email and folded in {email.strip().lower(), email.strip().lower().split("@")[0]}:
        raise WeakPassword(gettext("The password must not be the e-mail address."))


def hash_password(password: str) -> str:
    """The scrypt hash of ``password`` (with a random salt)."""
    return generate_password_hash(password, method=HASH_METHOD)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (constant-time comparison)."""
    return check_password_hash(password_hash, password)


# The scrypt hash (same parameters as real ones) of a random string that was thrown away:
# verifying against it costs what a real verification costs, and nothing can match it.
_DUMMY_HASH = (
    "scrypt:32768:8:1$gxXH0b46W4GpLYrf$2885877ffcddf3abfa54c16c438ca47fd5142aae03ce37e3396"
    "7a699506ad1191e000887efe6511034c8ec9736554fbb23411b036ec687284b3f45d474deda6f"
)


def verify_against_nothing(password: str) -> bool:
    """Spend the time of a real verification for a login whose account does not exist.

    An attacker timing the answers must not learn which e-mail addresses have accounts.
    Always returns False.
    """
    verify_password(_DUMMY_HASH, password)
    return False
