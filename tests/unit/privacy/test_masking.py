"""What personal numbers look like in messages and logs (``domain.privacy``)."""

from __future__ import annotations

from faircollect.domain.privacy import mask_email, mask_text, masked


def test_masked_by_field() -> None:
    assert masked("phone", "13912345678") == "139****5678"
    assert masked("id_number", "11010519491231002X") == "1101**********002X"
    assert masked("email", "zhang.wei@example.com") == "z***@example.com"
    assert masked("name", "张伟 13912345678") == "张伟 139****5678"


def test_free_text_loses_every_number() -> None:
    line = 'GET /cases?q=13800138000&id=11010519491231002X HTTP/1.1" 200'
    assert mask_text(line) == 'GET /cases?q=138****8000&id=1101**********002X HTTP/1.1" 200'
    assert mask_text("+86 13800138000") == "138****8000"  # the country code goes too


def test_an_address_without_an_at_is_starred() -> None:
    assert mask_email("nobody") == "******"
