import pytest

from app.accounts.services import PasswordTooWeak, check_password_policy, is_safe_next


@pytest.mark.parametrize("password", ["short1!", "onlyletterslong", "12345678901234"])
def test_weak_passwords_are_refused_with_a_reason(password):
    with pytest.raises(PasswordTooWeak):
        check_password_policy(password, min_length=10)


def test_a_long_mixed_password_is_accepted():
    check_password_policy("Correct-horse-42", min_length=10)


@pytest.mark.parametrize("target,safe", [
    ("/orders", True), ("/products/x?y=1", True), ("", False), (None, False), ("//evil.example", False),
    ("https://evil.example", False), ("/\\evil.example", False), ("javascript:alert(1)", False), ("orders", False),
])
def test_is_safe_next_allows_only_local_paths(target, safe):
    assert is_safe_next(target) is safe
