"""What the cart page and the placing path cost in SQL statements, pinned: a fixed number
whatever the number of lines for what they read (writes grow with the lines they write), the
idempotency key looked up once before the lock and once under it, and prices read once."""
import re

from tests.integration.checkout.helpers import add_to_cart, open_checkout, place_order, term_of

READING = re.compile(r"^\s*SELECT\b", re.IGNORECASE)


def readings(statements) -> list[str]:
    return [statement for statement in statements if READING.match(statement)]


def fill_cart(client, term, lines: int) -> None:
    for _ in range(lines):
        assert add_to_cart(client, term, seats=7).status_code == 302


def cart_page_statements(client, count_queries) -> int:
    with count_queries() as counter:
        assert client.get("/cart").status_code == 200
    return counter.count


def placing(client, count_queries, lines: int, term) -> tuple[object, object]:
    """The statements of the checkout page and of placing an order of ``lines`` lines."""
    fill_cart(client, term, lines)
    with count_queries() as page_counter:
        page = open_checkout(client)
    with count_queries() as place_counter:
        response = place_order(client, page)
    assert response.status_code == 302 and response.headers["Location"].startswith("/orders/ORD-")
    return page_counter, place_counter


def test_the_cart_page_reads_a_fixed_number_of_statements_whatever_its_lines(client, auth, shop, count_queries):
    # given a customer with one line in its cart, then three
    auth.login("admin@customer-a.test")
    term = term_of(shop.customer_plan)
    fill_cart(client, term, 1)
    one_line = cart_page_statements(client, count_queries)
    fill_cart(client, term, 2)
    three_lines = cart_page_statements(client, count_queries)
    # then the page costs the same: the user, the cart with its lines, the plan terms, their prices
    assert one_line == three_lines <= 4


def test_placing_reads_a_fixed_number_of_statements_whatever_its_lines(client, auth, shop, count_queries, handed_off):
    # given the reseller's admin, whose first order has drawn the year's first numbers
    auth.login("admin@reseller.test")
    term = term_of(shop.reseller_plan)
    placing(client, count_queries, 1, term)
    # when it checks out an order of one line, then one of three
    one_page, one_line = placing(client, count_queries, 1, term)
    three_page, three_lines = placing(client, count_queries, 3, term)
    # then the checkout page and the placing read as much for three lines as for one
    assert one_page.count == three_page.count <= 4
    assert len(readings(one_line.statements)) == len(readings(three_lines.statements)) <= 18
    # and the placing writes only what each line adds (its subscription, line, items, invoice lines, request)
    assert one_line.count <= 36


def statements_of_placing_one_line(client, auth, shop, count_queries):
    """Given a line in the reseller's cart and its checkout page, the statements of placing it."""
    auth.login("admin@reseller.test")
    fill_cart(client, term_of(shop.reseller_plan), 1)
    page = open_checkout(client)
    with count_queries() as counter:
        assert place_order(client, page).status_code == 302
    return counter


def test_placing_looks_the_key_up_twice_and_reads_prices_once(client, auth, shop, count_queries, handed_off):
    # given a line in the reseller's cart, when the order is placed (on account)
    counter = statements_of_placing_one_line(client, auth, shop, count_queries)
    # then the key is looked up before the lock (a resubmitted form goes to its order) and under it
    # (a racing submit placed it), not a third time; and the prices are read once, for the quote
    key_lookups = [s for s in counter.statements if re.search(r'FROM "order"\s+WHERE "order".idempotency_key', s)]
    price_reads = [s for s in counter.statements if "FROM plan_term_price" in s]
    assert (len(key_lookups), len(price_reads)) == (2, 1)


def test_placing_on_account_does_not_read_back_the_invoice_it_issued(client, auth, shop, count_queries, handed_off):
    # given a line in the reseller's cart, when the order is placed on account
    counter = statements_of_placing_one_line(client, auth, shop, count_queries)
    # then the invoice is written once and the confirmation mail gets it from the invoicing, not
    # from the database (the credit sum is the only read of the invoice table)
    invoice_reads = [s for s in readings(counter.statements) if re.search(r"\bFROM invoice\b", s)]
    assert len([s for s in counter.statements if s.lstrip().upper().startswith("INSERT INTO INVOICE ")]) == 1
    assert [s for s in invoice_reads if "sum(invoice.total)" not in s] == []


def test_a_key_with_no_order_is_remembered_until_the_transaction_ends(app, count_queries):
    from app.extensions import db
    from app.orders.placing import find_order

    # given a key looked up once in this transaction, with no order
    assert find_order(424242, "no-such-key") is None
    # then asking again costs nothing, a fresh look-up (the one under the lock) asks the database
    with count_queries() as again:
        assert find_order(424242, "no-such-key") is None
    with count_queries() as fresh:
        assert find_order(424242, "no-such-key", fresh=True) is None
    with count_queries() as other:
        assert find_order(424242, "another-key") is None and find_order(1, "no-such-key") is None
    assert (again.count, fresh.count, other.count) == (0, 1, 2)
    # and once the transaction has ended (an order may have been placed meanwhile) it asks again
    db.session.rollback()
    with count_queries() as after_rollback:
        assert find_order(424242, "no-such-key") is None
    db.session.commit()
    with count_queries() as after_commit:
        assert find_order(424242, "no-such-key") is None
    assert (after_rollback.count, after_commit.count) == (1, 1)
