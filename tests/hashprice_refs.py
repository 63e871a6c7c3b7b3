"""Published Bitcoin hashprice readings with the inputs needed to recompute them.

Plain data module for tests (standard library only). Each entry of
``REFERENCES`` is a hashprice (USD per PH/s per day) that a publisher printed
for a given date, together with the Bitcoin price, the network difficulty (or
hashrate) and the transaction fees per block that go with that reading, so a
test can check a hashprice implementation against real published numbers.

Formula
-------
    hashprice [USD / (PH/s) / day]
        = price_usd * (subsidy_btc + fees_btc_per_block) * 144 / H_PH

    H = D * 2**32 / 600  hashes per second   (difficulty D, 600 s block target)
    H_PH = H / 1e15,  H_EH = H / 1e18

144 is the expected number of blocks per day. The block subsidy is 12.5 BTC
before block 630,000 (11 May 2020), 6.25 BTC before block 840,000 (20 Apr
2024) and 3.125 BTC after.

Which hashrate the publishers use
---------------------------------
Luxor's Hashrate Index ("Bitcoin Hashprice Index") computes hashprice from the
network difficulty, a 144-block trailing average of fees and a spot price
averaged over three US exchanges (https://docs.luxor.tech/hashrateindex/hashprice).
The data confirm it: for every Luxor reading below, the difficulty-implied
hashrate reproduces the published number to within 1.8 %. On most dates the
7-day average hashrate printed beside it is within 2 % of the difficulty-implied
one, so it cannot tell the two apart; but on the four dates where they differ
by more than 4 %, only the difficulty reproduces the published hashprice
(7-day hashrate instead: 2021-08-07 -5.8 %, 2021-10-24 -3.9 %, 2025-07-11
-8.6 %, 2026-02-02 +19 %). The 11 Jul 2025 peak, reported from Braiins and
TheMinerMag, is among them. So every reference in
``REFERENCES`` is difficulty-based: ``network_hashrate_ehs`` is
``D * 2**32 / 600 / 1e18`` and ``difficulty_t`` is set. The 7-day hashrate that
the source printed is kept, for information only, in
``hashrate_7d_ehs_reported``.

One hashrate-based publisher was found (asic.report, whose page states the
difficulty formula but whose number matches its 7-day hashrate figure). It is
kept apart in ``HASHRATE_BASED_EXAMPLES`` because its date is known only to
within about two weeks.

Sources and quality
-------------------
Most entries are Luxor "Hashrate Index Roundup" weekly posts
(hashrateindex.com/blog), which give the hashprice, the BTC price, the
difficulty after the last adjustment and the week's fees in one article. Fees
come either as a percentage of the block reward (2021-era posts, 24 h), as an
average per block, or as "miners collected ~X BTC in block rewards ... fees
totalling Y BTC" over the week; in that last case
fees_per_block = Y / ((X - Y) / subsidy). The ``quality`` key says how
complete the pairing is:

* "A": hashprice, price, difficulty and fees all in one publisher page;
* "B": hashprice and price (or difficulty) from one page, the rest from other
  pages of the same period (difficulty epoch), as said in ``note``;
* "C": as B, but the price matching the hashprice reading is uncertain by
  more than 1 % (noted).

Deviations
----------
``recomputed_usd_per_ph_day`` and ``deviation_pct`` (recomputed vs published)
are filled in at import with ``recompute``. All references lie within 2 % (the
test tolerance, ``TOLERANCE``); the largest is -1.72 % (2026-01-12). The
residual comes from timing: the publisher's price is a live multi-exchange
average at the minute of writing, while the article rounds it ("~$91,132"),
and its fee term is a trailing 144-block average, whereas the fees here are
mostly weekly averages.

Fee sensitivity: fees were 0.5 % to 5 % of the block reward on these dates. An
error of 0.01 BTC per block in the fee input moves the result by 0.32 % at a
3.125 BTC subsidy (0.16 % at 6.25 BTC); the fee share of each reference is in
``fee_share_pct``.

Candidates that were examined and dropped are listed in ``DROPPED`` with the
reason.
"""

from __future__ import annotations

from typing import Any

BLOCKS_PER_DAY = 144
TARGET_BLOCK_TIME_S = 600
TOLERANCE = 0.02  # relative; the test tolerance on recomputed vs published hashprice


def hashrate_ehs_from_difficulty(difficulty_t: float) -> float:
    """Network hashrate (EH/s) implied by a difficulty given in T (1e12)."""
    return difficulty_t * 1e12 * 2**32 / TARGET_BLOCK_TIME_S / 1e18


def recompute(ref: dict[str, Any]) -> float:
    """Hashprice in USD per PH/s per day from the inputs of one reference.

    Uses ``network_hashrate_ehs``, which for difficulty-based references is
    exactly ``hashrate_ehs_from_difficulty(difficulty_t)``.
    """
    reward_btc = ref["subsidy_btc"] + ref["fees_btc_per_block"]
    hashrate_ph = ref["network_hashrate_ehs"] * 1e3
    return float(ref["price_usd"] * reward_btc * BLOCKS_PER_DAY / hashrate_ph)


def _fees_from_weekly(total_rewards_btc: float, fees_btc: float, subsidy_btc: float) -> float:
    """Fees per block from a week's total rewards and fees (blocks = subsidy part / subsidy)."""
    blocks = (total_rewards_btc - fees_btc) / subsidy_btc
    return fees_btc / blocks


def _fees_from_share(share: float, subsidy_btc: float) -> float:
    """Fees per block from the fee share of the block reward (fees / (subsidy + fees))."""
    return subsidy_btc * share / (1.0 - share)


def _ref(
    *,
    date: str,
    publisher: str,
    quality: str,
    hashprice: float,
    price: float,
    difficulty_t: float,
    fees: float,
    subsidy: float,
    source_map: dict[str, str],
    note: str,
    hashrate_7d_reported: float | None = None,
    btc_hashprice_published: float | None = None,
) -> dict[str, Any]:
    sources: list[str] = []
    for url in source_map.values():
        for u in url.split(" ; "):
            if u not in sources:
                sources.append(u)
    return {
        "date": date,
        "publisher": publisher,
        "quality": quality,
        "basis": "difficulty",
        "hashprice_usd_per_ph_day": hashprice,
        "price_usd": price,
        "network_hashrate_ehs": hashrate_ehs_from_difficulty(difficulty_t),
        "difficulty_t": difficulty_t,
        "fees_btc_per_block": fees,
        "subsidy_btc": subsidy,
        "sources": sources,
        "source_map": source_map,
        "hashrate_7d_ehs_reported": hashrate_7d_reported,
        "btc_hashprice_published": btc_hashprice_published,
        "note": note,
    }


_LUXOR_METHOD = "https://docs.luxor.tech/hashrateindex/hashprice"

REFERENCES: list[dict[str, Any]] = [
    _ref(
        date="2021-08-07",
        publisher="Luxor Hashrate Index (weekly roundup)",
        quality="A",
        hashprice=383.5,  # "$0.3835" per TH/s/day
        price=43_629.0,  # "Bitcoin Price (24H)"
        difficulty_t=14.5,  # "upward to 14.5T, a 6% bump"
        fees=_fees_from_share(0.0134, 6.25),  # "Average Fee Percentage per Block (24H): 1.34%"
        subsidy=6.25,
        hashrate_7d_reported=110.15,
        source_map={
            "all": "https://hashrateindex.com/blog/-hashrate-index-roundup-8721/",
            "difficulty_crosscheck": (
                "https://cryptonewz.pages.dev/crypto-news-coindesk.com/markets/2021/07/19/"
                "bitcoin-network-sees-fourth-straight-downward-difficulty-adjustment"
            ),
            "method": _LUXOR_METHOD,
        },
        note=(
            "All inputs from the roundup. Difficulty is printed rounded to 14.5 T; CoinDesk gives 13.67 T "
            "after the 18 Jul 2021 adjustment and the roundup a ~6 % rise on 31 Jul, i.e. 13.67 * 1.06 = 14.49 T "
            "(rounding uncertainty about 0.35 %). Fees are the 24 h share of the block reward. With the "
            "printed 7-day hashrate (110.15 EH/s) the result would be 5.9 % low: Luxor uses difficulty."
        ),
    ),
    _ref(
        date="2021-10-24",
        publisher="Luxor Hashrate Index (weekly roundup)",
        quality="A",
        hashprice=380.0,  # "$0.3800" per TH/s/day
        price=60_028.0,
        difficulty_t=20.08,  # "0.95% upward adjustment ... to put us at a 20.08 T difficulty"
        fees=_fees_from_share(0.0107, 6.25),  # 1.07 % of the block reward (24 h)
        subsidy=6.25,
        hashrate_7d_reported=149.50,
        source_map={
            "all": "https://hashrateindex.com/blog/hashrate-index-roundup-10242021/",
            "difficulty_crosscheck": "https://forkast.news/bitcoin-mining-difficulty-rose-to-the-hardest-since-june/",
            "method": _LUXOR_METHOD,
        },
        note=(
            "All inputs from the roundup. Forkast gives 19.89 T at block 703,584; * 1.0095 = 20.08 T. "
            "Printed 7-day hashrate 149.50 EH/s would give -3.9 %: Luxor uses difficulty."
        ),
    ),
    _ref(
        date="2024-11-12",
        publisher="Luxor Hashrate Index (live Bitcoin Hashprice Index page)",
        quality="A",
        hashprice=55.97,  # "Hashprice (Spot) $55.97 USD"
        price=87_235.0,  # "1 BTC = $87,235"
        difficulty_t=101.65,  # "Network Difficulty 101.65 T"
        fees=3.28 * 0.0482,  # "Block Rewards (24h) 3.28 BTC", "Fees in Blocks (24h) 4.82%"
        subsidy=3.125,
        hashrate_7d_reported=733.11,
        source_map={
            "all": "https://staging.urlscan.io/result/6a98d950-1397-4d9c-af4b-0460b7cdeb91/content",
            "method": _LUXOR_METHOD,
        },
        note=(
            "urlscan.io capture of data.hashrateindex.com/network-data/bitcoin-hashprice-index, submitted "
            "12 Nov (2024: 'Difficulty Adjustment Date Estimate November 19, 2024', 1125/2016 blocks in epoch, "
            "179,980 blocks to the 2028 halving). Block reward 3.28 BTC per block on average over 24 h, 4.82 % "
            "of it fees -> 0.158 BTC/block (3.125 + 0.158 = 3.283). Price and hashprice tiles may be a few "
            "minutes apart. Published hashprice / printed price implies a reward of 3.24 BTC/block, i.e. a "
            "144-block fee average of ~0.12 BTC instead of the 24 h 0.158 (or a price/hashprice timing gap); "
            "that is the +1.3 %."
        ),
    ),
    _ref(
        date="2024-12-23",
        publisher="Luxor Hashrate Index (weekly roundup)",
        quality="A",
        hashprice=55.21,
        price=93_450.0,  # "~$93,450"
        difficulty_t=108.52,  # "increasing network difficulty by 4.43% to a new all-time high of 108.52T"
        fees=0.0931,  # "an average of 0.0931 BTC (per block, per day) in transaction fees" over the past week
        subsidy=3.125,
        hashrate_7d_reported=795.0,
        source_map={
            "all": "https://hashrateindex.com/blog/hashrate-index-roundup-december-23-2024",
            "method": _LUXOR_METHOD,
        },
        note=(
            "All inputs from the roundup; fees are the week's average per block (95 BTC of ~3,295 BTC "
            "rewards gives the same 0.093)."
        ),
    ),
    _ref(
        date="2025-03-03",
        publisher="Luxor Hashrate Index (weekly roundup)",
        quality="A",
        hashprice=49.40,
        price=86_350.0,  # "~$86,350"
        difficulty_t=110.57,  # "decreasing network difficulty by 3.15% to 110.57T" (23 Feb)
        fees=_fees_from_weekly(3218.0, 62.0, 3.125),  # "~3,218 BTC in block rewards ... fees totalling 62 BTC"
        subsidy=3.125,
        hashrate_7d_reported=810.0,
        btc_hashprice_published=0.00057612,
        source_map={
            "all": "https://hashrateindex.com/blog/hashrate-index-roundup-march-03-2025",
            "method": _LUXOR_METHOD,
        },
        note=(
            "All inputs from the roundup; fees = 62 BTC over ~1,010 blocks of the week = 0.061 BTC/block. "
            "The published BTC hashprice (0.00057612) implies a trailing-144-block fee of 0.042 BTC/block; "
            "with it the result would be +0.7 %."
        ),
    ),
    _ref(
        date="2025-07-11",
        publisher="TheMinerMag (Hashrate Index data) and Braiins, via news reports",
        quality="B",
        hashprice=64.03,  # 12-month high "$64.03 per PH/s recorded on July 11, 2025"; Braiins: "64 dollars"
        price=118_000.0,  # new all-time high, "surpassing $118,000 for the first time" on 11 Jul 2025
        difficulty_t=116.96,  # after -7.48 % (late June); next adjustment +7.96 % to 126.27 T on 12-13 Jul
        fees=0.03,  # no per-day figure found; 2025 fees ~0.02-0.04 BTC/block
        subsidy=3.125,
        hashrate_7d_reported=916.0,  # Cloverpool weekly average 4-10 Jul 2025
        source_map={
            "hashprice": (
                "https://btcpizza.com/bitcoin-miners-are-under-intense-pressure-as-hash-prices-near-year-to-date-lows"
                " ; https://usheadlinenews.com/2025/11/04/this-is-the-bullet-that-hits-bitcoin-miners"
            ),
            "price": (
                "https://news.az/news/bitcoin-continues-bull-run-reaches-record-118-000"
                " ; https://thetechportal.com/2025/07/11/"
                "bitcoin-reaches-all-time-high-of-118000-amid-record-etf-investments-and-institutional-demand"
            ),
            "difficulty": (
                "https://news.cobic.io/en/news/bitcoin-hash-rate-surges-a-positive-signal-for-crypto"
                " ; https://www.ainvest.com/news/bitcoin-mining-difficulty-surges-7-96-126-27-trillion-2507"
            ),
        },
        note=(
            "Combined sources of the same day. The 2025 hashprice high (64.03, TheMinerMag; '64', Braiins) "
            "falls on the day BTC first passed $118,000 (intraday high ~118,872, settling ~118,396); within a "
            "difficulty epoch the hashprice peak coincides with the price peak, so the day's high is the "
            "matching price. Difficulty 116.96 T held until the +7.96 % adjustment to 126.27 T on 12-13 Jul "
            "(126.27 / 1.0796 = 116.96). Fees assumed 0.03 BTC/block (range 0.02-0.04 moves the result by "
            "+-0.3 %). With the 7-day hashrate (916 EH/s) the result would be 8.6 % low."
        ),
    ),
    _ref(
        date="2025-11-03",
        publisher="Luxor Hashrate Index (weekly roundup)",
        quality="B",
        hashprice=43.33,
        price=106_935.0,  # "~$106,935"
        difficulty_t=155.97,  # not printed in the roundup; value of the epoch 29/30 Oct - 12 Nov 2025
        fees=_fees_from_weekly(3170.0, 20.0, 3.125),  # "~3,170 BTC in block rewards ... fees totalling 20 BTC"
        subsidy=3.125,
        hashrate_7d_reported=None,  # the summary's "930 EH/s" conflicts with the article (see note)
        btc_hashprice_published=0.00040577,
        source_map={
            "hashprice_price_fees": "https://hashrateindex.com/blog/hashrate-index-roundup-november-3-2025",
            "difficulty": (
                "https://pricpr.com/?p=58505"
                " ; https://btcpizza.com/bitcoin-mining-profitability-slumps-as-hash-prices-fall-to-multi-month-lows"
                " ; https://hashrateindex.com/blog/luxor-hashrate-lookback-series-november-2025"
            ),
        },
        note=(
            "Hashprice, price and fees from the roundup; its difficulty figure is not in the stored text. "
            "Difficulty 155.97 T: U.Today/pricpr gives 155.97 T on 11 Nov, TheMinerMag 'all-time high of 156 T, "
            "+6.3 %' at the late-October adjustment, and Luxor's November lookback dates the next changes to "
            "12 Nov (-2.37 %) and 26 Nov (-1.95 %), so 155.97 T held on 3 Nov. The published BTC hashprice "
            "(0.00040577) matches this difficulty and the weekly fees to 0.05 %. The roundup's summary paragraph "
            "also prints a 7-day hashrate of 930 EH/s and weekly rewards of 3,251 BTC, which conflict with its "
            "own 3,170 BTC and with the ~1.1 ZH/s other sources give for early November, so it is not recorded."
        ),
    ),
    _ref(
        date="2025-11-18",
        publisher="Luxor Hashrate Index, via CoinDesk",
        quality="B",
        hashprice=38.2,  # "lowest level in five years ... $38.2 PH/s"
        price=91_000.0,  # "the bitcoin price is at $91,000"
        difficulty_t=152.27,  # article: "152 trillion"; epoch 12-26 Nov 2025 = 155.97 * (1 - 0.0237)
        fees=0.02,  # article: fees "extremely low" (2 sat/vB); Luxor weekly 3 Nov: 0.020 BTC/block
        subsidy=3.125,
        hashrate_7d_reported=1100.0,  # "more than 1.1 ZH/s"
        source_map={
            "hashprice_price_difficulty": (
                "https://pakgazette.com/btc-hashprice-falls-to-five-year-low"
                " ; https://www.chaincatcher.com/en/article/2221432"
                " ; https://www.binance.bh/en/square/post/32564220679505"
            ),
            "date": "https://www.ebtcnews.com/?p=17499",
            "difficulty_epoch": "https://hashrateindex.com/blog/luxor-hashrate-lookback-series-november-2025",
            "fees": "https://hashrateindex.com/blog/hashrate-index-roundup-november-3-2025",
        },
        note=(
            "Syndicated CoinDesk article quoting Luxor; hashprice, price and difficulty (rounded to 152 T) in "
            "one article. Exact difficulty 152.27 T = 155.97 T after the 12 Nov -2.37 % adjustment (Luxor "
            "lookback); 152 T instead would give +0.2 %. Date approximate (+-2 days): the article falls in the "
            "12-26 Nov epoch, before the 22 Nov all-time low, next to 18 Nov 2025 news on the same page. "
            "The project notes list this 38.2 as December 2025; the 152 T difficulty places it in mid-November."
        ),
    ),
    _ref(
        date="2026-01-12",
        publisher="Luxor Hashrate Index (weekly roundup)",
        quality="A",
        hashprice=39.53,
        price=91_132.0,  # "~$91,132"
        difficulty_t=148.26,  # "latest difficulty adjustment took place on January 8 ... -1.20% to 148.26T"
        fees=_fees_from_weekly(3167.0, 17.0, 3.125),  # "~3,167 BTC in block rewards ... fees totalling 17 BTC"
        subsidy=3.125,
        hashrate_7d_reported=1024.0,
        btc_hashprice_published=0.00043143,
        source_map={
            "all": "https://hashrateindex.com/blog/hashrate-index-roundup-january-12-2026",
            "method": _LUXOR_METHOD,
        },
        note=(
            "All inputs from the roundup. Largest deviation of the set (-1.7 %): the published BTC hashprice "
            "(0.00043143) implies a reward of 3.18 BTC/block, i.e. a trailing-144-block fee of ~0.055 BTC "
            "against the week's 0.017; with the BTC hashprice times the printed price the result is -0.5 %."
        ),
    ),
    _ref(
        date="2026-02-02",
        publisher="Luxor Hashrate Index, via news report",
        quality="C",
        hashprice=33.34,  # "As of 10:30 Moscow time on February 2 ... $33.34" (record low)
        price=74_500.0,  # "the price of BTC dropped to $74,500 ... By 11:00 Moscow time ... $76,800"
        difficulty_t=141.67,  # epoch 22 Jan - 7 Feb 2026 (then -11.16 % to 125.86 T at block 935,424)
        fees=0.017,  # no February figure; Luxor weekly 12 Jan 2026: 17 BTC over ~1,008 blocks
        subsidy=3.125,
        hashrate_7d_reported=851.0,  # "average weekly hashrate ... has dropped to 851 EH/s"
        source_map={
            "hashprice_price": "https://binance.weixuanerp.com/en/square/post/35909196399953",
            "hashprice_crosscheck": "https://news.superex.com/articles/32226.html",
            "difficulty": (
                "https://coinlive.me/bitcoin-mining-difficulty-drops-11-as-hashrate-cools"
                " ; https://www.mexc.in/tr-CT/news/670132"
            ),
            "fees": "https://hashrateindex.com/blog/hashrate-index-roundup-january-12-2026",
        },
        note=(
            "Record-low Luxor reading (33.34 at 07:30 UTC; other reports 33.31) paired with the same "
            "article's intraday BTC low of $74,500; BTC was back at $76,800 half an hour later, which would "
            "give +2.8 %, so the price pairing is uncertain (quality C). Difficulty 141.67 T: The Block and "
            "CoinDesk give the drop from 141.67 T to 125.86 T on 7 Feb. With the 851 EH/s 7-day hashrate "
            "the result would be 19 % high."
        ),
    ),
]

# Publishers that divide by a hashrate estimate instead of the difficulty. Kept out of REFERENCES
# because the date of the reading is known only to within the 22 Jan - 7 Feb 2026 difficulty epoch.
HASHRATE_BASED_EXAMPLES: list[dict[str, Any]] = [
    {
        "date": "2026-01-22/2026-02-07",  # ISO interval: the 141.67 T epoch shown on the page
        "publisher": "asic.report Bitcoin Hashprice Index",
        "quality": "C",
        "basis": "hashrate",
        "hashprice_usd_per_ph_day": 41.6,  # "$0.0416/TH"
        "price_usd": 83_625.0,
        "network_hashrate_ehs": 904.29,  # "Network Hashrate 904.29 EH/s" (used by the publisher)
        "difficulty_t": None,  # page shows 141.67 T, but its number is not computed from it
        "fees_btc_per_block": 0.017,  # Luxor weekly 12 Jan 2026; the page's own fee input is not shown
        "subsidy_btc": 3.125,
        "sources": [
            "https://www.asic.report/network/hashprice",
            "https://hashrateindex.com/blog/hashrate-index-roundup-january-12-2026",
        ],
        "note": (
            "The page states hashprice = (subsidy + fees) * price / (D * 2^32 / 600 / 1e12), but with its "
            "141.67 T difficulty that gives 37.1 + fees (-10 %). Its number matches its displayed hashrate "
            "904.29 EH/s instead: 41.61 with no fees, 41.84 (+0.6 %) with 0.017 BTC/block of fees."
        ),
    },
]

DROPPED: list[dict[str, str]] = [
    {
        "candidate": "2021 average 314.61, 2022 average 123.88, 2022 low 55.94 (Hashrate Index year in review)",
        "reason": "annual averages / an undated low: no single price, difficulty and fee set to recompute from",
        "source": "https://whatsupmarket.com/2023/01/15/hashrate-index-releases-2022-bitcoin-mining-year-in-review/",
    },
    {
        "candidate": "41.6 on 4 Nov 2025 (Braiins, via CriptoNoticias)",
        "reason": (
            "price given only as 'fell below $102,000'; with 102,000, 155.97 T and 0.02 BTC fees it recomputes "
            "to 41.37 (-0.5 %), but a price anywhere in 100,000-102,000 spans -2.5 % to -0.5 %. The 3 Nov Luxor "
            "roundup covers the same epoch with an exact price."
        ),
        "source": "https://usheadlinenews.com/2025/11/04/this-is-the-bullet-that-hits-bitcoin-miners",
    },
    {
        "candidate": "34.49 record low (~21-23 Nov 2025, AMBCrypto citing the Hashprice Index)",
        "reason": (
            "the article pairs it with the 155 T difficulty of 3 Nov (the epoch value was 152.27 T) and a price "
            "'near $86,000' written after the low; that recomputes to ~35.7 (+3.6 %). Other reports give the "
            "low as 35.06 (Luxor, 22 Nov), 34.99 or 34.21, so the reading itself is not pinned either."
        ),
        "source": (
            "https://www.bitcoin-ai-news.com/article/bitcoin-hashprice-hits-record-low-as-mining-difficulty-"
            "reaches-ath-crisis-ahead-ambcrypto/e495336d-18a4-4c8b-87b4-2acb25d3659d"
        ),
    },
    {
        "candidate": "27.9 all-time low on 6 Feb 2026; ~35 on 10 Feb 2026",
        "reason": "no BTC price reported for the moment of the reading (BTC moved between ~60,000 and ~70,000)",
        "source": "https://crystal-trade.org/mayneryi-bitkoina-aktivizirovalis-posle-rekordnogo-padeniya-slozhnosti-seti-na-11",
    },
    {
        "candidate": "43.1 in early Nov 2025 (TheMinerMag: BTC 'around $104,000', difficulty 156 T)",
        "reason": "fees not given and price rounded; recomputes to ~42.2 (-2 %), at the tolerance edge",
        "source": "https://btcpizza.com/bitcoin-mining-profitability-slumps-as-hash-prices-fall-to-multi-month-lows",
    },
    {
        "candidate": "39.87 on 16 Sep 2024 (Luxor roundup: BTC $58,000, difficulty 92.67 T)",
        "reason": (
            "the fee figure is cut off in the stored text; with zero fees it recomputes to -1.3 %, so a typical "
            "0.02-0.04 BTC/block would fit, but the input could not be sourced"
        ),
        "source": "https://hashrateindex.com/blog/hashrate-index-roundup-september-16-2024",
    },
    {
        "candidate": "44.842 on 4 Jul 2024 and 44.31 (Luxor, all-time lows of July 2024)",
        "reason": "articles give no price or difficulty for the moment of the reading",
        "source": "https://morns.ca/2024/07/24/bitcoins-daily-mining-revenue-dollar-value-plummets-to-historic-low",
    },
]


def _fill_derived(refs: list[dict[str, Any]]) -> None:
    for ref in refs:
        value = recompute(ref)
        ref["recomputed_usd_per_ph_day"] = value
        ref["deviation_pct"] = 100.0 * (value / ref["hashprice_usd_per_ph_day"] - 1.0)
        ref["fee_share_pct"] = 100.0 * ref["fees_btc_per_block"] / (ref["subsidy_btc"] + ref["fees_btc_per_block"])


_fill_derived(REFERENCES)
_fill_derived(HASHRATE_BASED_EXAMPLES)


if __name__ == "__main__":
    header = f"{'date':<22}{'q':<3}{'published':>10}{'recomputed':>12}{'dev %':>8}{'H EH/s':>10}{'fees':>8}{'fee %':>7}"
    print(header)
    for group in (REFERENCES, HASHRATE_BASED_EXAMPLES):
        for r in group:
            print(
                f"{r['date']:<22}{r['quality']:<3}{r['hashprice_usd_per_ph_day']:>10.2f}"
                f"{r['recomputed_usd_per_ph_day']:>12.2f}{r['deviation_pct']:>8.2f}"
                f"{r['network_hashrate_ehs']:>10.1f}{r['fees_btc_per_block']:>8.4f}{r['fee_share_pct']:>7.2f}"
            )
    worst = max(abs(r["deviation_pct"]) for r in REFERENCES + HASHRATE_BASED_EXAMPLES)
    print(f"largest |deviation| = {worst:.2f} % (tolerance {100 * TOLERANCE:.0f} %)")
    if worst > 100 * TOLERANCE:
        raise SystemExit("a reference is outside the tolerance")
