#!/usr/bin/python3
"""Writes docs/scenario-reference.md from experiments/scenario.h, experiments/liquidation_mechanisms.h and
experiments/margin_models.h (field, default, allowed range/meaning; the liquidation mechanisms and the
margin models, each with the keys it owns, in registry order).

The loader (experiments/scenario_loader.cpp) enforces the ranges; this page repeats the comments of the
structs that both are written against. Run: /usr/bin/python3 scripts/gen_scenario_reference.py [OUTPUT]   (default: docs/scenario-reference.md)
"""
import re, pathlib, sys
root = pathlib.Path(__file__).resolve().parent.parent
text = "".join((root / f"experiments/{name}").read_text()
               for name in ("scenario.h", "liquidation_mechanisms.h", "margin_models.h"))
structs = {}
for m in re.finditer(r"struct (\w+) \{(.*?)\n\};", text, re.S):
    fields, pending = [], []
    for line in m.group(2).split("\n"):
        s = line.strip()
        if s.startswith("//"):
            pending.append(s[2:].strip()); continue
        f = re.match(r"([\w:<>]+)\s+(\w+)(?:\s*=\s*([^;]*)|\s*(\{[^;]*\}))?;\s*(?://\s*(.*))?", s)
        if f:
            typ, name, default, brace, comment = f.groups()
            doc = " ".join(pending + ([comment] if comment else []))
            fields.append((typ, name, (default or brace or "").strip(), doc)); pending = []
        elif s:
            pending = []
    structs[m.group(1)] = fields

tables = [("(top level)", "Scenario"), ("[liquidation]", "LiquidationSpec"),
          ("[noise]", "NoiseTraderSpec"), ("[market_makers]", "MarketMakerSpec"),
          ("[traders]", "LeveragedTraderSpec"), ("[traders.leverage] / [traders.margin]", "DistributionSpec"),
          ("[keepers]", "KeeperSpec"), ("[liquidity]", "LiquiditySpec"), ("[value_traders]", "ValueTraderSpec"),
          ("[arbitrageurs]", "ArbitrageurSpec"), ("[limits]", "LimitsSpec"), ("[[markets]]", "MarketSpec"), ("[markets.price]", "PriceProcessSpec"),
          ("[markets.shock]", "ShockSpec"), ("[markets.index]", "IndexSpec"), ("[markets.spot]", "SpotSpec"), ("[markets.amm]", "AmmSpec"),
          ("[markets.oracle]", "OracleSpec"),
          ("[markets.mark]", "MarkSpec"), ("[markets.funding]", "FundingSpec"),
          ("[markets.margin]", "MarginSpec"), ("[liquidation_map]", "LiquidationMapSpec"),
          ("[[hunters]]", "HunterSpec"), ("[options]", "OptionsSpec"), ("[[options.slices]]", "OptionSliceSpec"),
          ("[[keeper_groups]]", "KeeperGroupSpec"), ("[[trader_groups]]", "TraderGroupSpec")]
# The margin models (experiments/margin_models.h): name, description and spec, in registry order; the
# chosen model's keys sit in [markets.margin] beside `model`.
registry = re.search(r"using MarginModelSpecs =\s*std::tuple<([^>]*)>;", text).group(1)
models = []
for spec in [x.strip() for x in registry.split(",")]:
    body = re.search(r"struct " + spec + r" \{(.*?)\n\};", text, re.S).group(1)
    name = re.search(r'kModel = "([^"]*)"', body).group(1)
    description = "".join(re.findall(r'"([^"]*)"', re.search(r"kDescription =((?:\s*\"[^\"]*\")+);", body, re.S).group(1)))
    models.append((name, description, spec))
# The liquidation mechanisms (experiments/liquidation_mechanisms.h): name, description, spec and whether
# it has keys (its table [liquidation.<name>]), in registry order.
registry = re.search(r"using MechanismSpecs =\s*std::tuple<([^>]*)>;", text).group(1)
mechanisms = []
for spec in [x.strip() for x in registry.split(",")]:
    body = re.search(r"struct " + spec + r" \{(.*?)\n\};", text, re.S).group(1)
    name = re.search(r'kName = "([^"]*)"', body).group(1)
    description = "".join(re.findall(r'"([^"]*)"', re.search(r"kDescription =((?:\s*\"[^\"]*\")+);", body, re.S).group(1)))
    has_keys = re.search(r"kHasKeys = (\w+);", body).group(1) == "true"
    mechanisms.append((name, description, spec, has_keys))
element_of = {"brackets": "BracketSpec", "tiers": "HyperliquidTierSpec"}
out = ["# Scenario reference", "",
       "A scenario is a TOML file (or an embedded preset: `liqsim presets`). Every key is optional and has",
       "the default below; unknown keys, wrong types and out-of-range values are errors, all reported at once",
       "with the key, the value and what is allowed (`liqsim validate FILE`). Times are seconds, money is US",
       "dollars, rates and fractions are plain numbers (0.001 = 0.1%). Values are converted to fixed point when",
       "the run is built (docs/ARCHITECTURE.md, Money model). The resolved scenario, with every key, is stored in",
       "each run file (`scenario_toml`).", "",
       "Generated from `experiments/scenario.h`, `experiments/liquidation_mechanisms.h` and",
       "`experiments/margin_models.h` by",
       "`scripts/gen_scenario_reference.py`.", ""]
for title, struct in tables:
    out += [f"## {title}", "", "| key | default | allowed / meaning |", "|---|---|---|"]
    for typ, name, default, doc in structs[struct]:
        if name in ("source_dir", "params"): continue
        if typ.endswith("Spec") or typ.startswith("std::vector<") and "Spec" in typ:
            doc = doc or "table, see below"
        shown = f"`{default}`" if default and not typ.startswith("std::vector<") else "(table)"
        out.append(f"| `{name}` | {shown} | {doc.replace('|', '/')} |")
    out.append("")
    if struct == "LiquidationSpec":
        out += ["| mechanism | what it does | its keys |", "|---|---|---|"]
        out += [f"| `\"{name}\"` | {description} | " + (f"`[liquidation.{name}]`" if keys else "none") + " |"
                for name, description, _, keys in mechanisms]
        out.append("")
        for name, description, spec, keys in mechanisms:
            if not keys: continue
            out += [f"## [liquidation.{name}]", "", f"Keys of mechanism `\"{name}\"`: {description}.", "",
                    "| key | default | allowed / meaning |", "|---|---|---|"]
            nested = []
            for typ, key, default, doc in structs[spec]:
                if typ.endswith("Spec"):  # a sub-table of the mechanism's table
                    nested.append((key, typ, doc))
                    out.append(f"| `{key}` | (table) | {doc.replace('|', '/')} |")
                    continue
                out.append(f"| `{key}` | `{default}` | {doc.replace('|', '/')} |")
            out.append("")
            for key, typ, doc in nested:
                out += [f"### [liquidation.{name}.{key}]", "", doc[0].upper() + doc[1:] + ".", "",
                        "| key | default | allowed / meaning |", "|---|---|---|"]
                for _, field, default, fdoc in structs[typ]:
                    shown = f"`{default}`" if default else "`\"\"`"
                    out.append(f"| `{field}` | {shown} | {fdoc.replace('|', '/')} |")
                out.append("")
    if struct == "MarginSpec":
        out += ["| model | what it computes |", "|---|---|"]
        out += [f"| `\"{name}\"` | {description} |" for name, description, _ in models]
        out.append("")
for name, description, spec in models:
    out += [f"## [markets.margin] with model = \"{name}\"", "", description + ".", "",
            "| key | default | allowed / meaning |", "|---|---|---|"]
    nested = []
    for typ, key, default, doc in structs[spec]:
        shown = f"`{default}`" if default and not typ.startswith("std::vector<") else "(table)"
        out.append(f"| `{key}` | {shown} | {doc.replace('|', '/')} |")
        if key in element_of: nested.append((key, element_of[key]))
    out.append("")
    for key, element in nested:
        out += [f"### [[markets.margin.{key}]] (model = \"{name}\")", "", "| key | default | allowed / meaning |",
                "|---|---|---|"]
        for typ, field, default, doc in structs[element]:
            out.append(f"| `{field}` | `{default}` | {doc.replace('|', '/')} |")
        out.append("")
out += ["## Notes", "",
        "- Without `[[markets]]`, one default market (BTC-PERP at 60,000) is used; a market without",
        "  `[markets.margin]` uses `binance_tiered` with the legacy Binance BTCUSDT table (0-50k 0.4%, 50k-250k",
        "  0.5%, 250k-1M 1%, 1M-5M 2.5%, 5M-20M 5%; initial rates 0.8/1/2/5/10%). Brackets must be contiguous",
        "  with non-decreasing rates. `[[markets.brackets]]`, their former location, is still read (with",
        "  `binance_tiered` only); messages then name the key as written.",
        "- `hyperliquid` tiers start at notional 0 with increasing lower bounds and non-increasing max",
        "  leverage; MM = notional / (2 x max_leverage) - the tier's maintenance deduction (Hyperliquid docs,",
        "  trading/margin-tiers), and a trader's leverage is capped at the tier's max leverage.",
        "- `collateral_ratio`: a long is a vault (collateral: the position at the mark; debt: minus the",
        "  balance), liquidatable when value / liquidation_ratio < debt (MakerDAO dss dog.sol `ink * spot <",
        "  art * rate` with spot = price / mat; Liquity's MCR; Aave's health factor with mat = 1 / LT); a short",
        "  is charged the same requirement on |notional|. See docs/venues.md.",
        "- `replay_file` is resolved relative to the scenario file's folder; the CSV needs a header row.",
        "- `initial_price` must be a multiple of `tick_size`.",
        "- What validates is what runs: every value is also checked after its conversion to the run's fixed",
        "  point (1 ns, $0.000001, 1e-8 coins, 1e-9 for rates): a non-zero value that rounds to 0 is refused.",
        "  Periodic intervals are at least 1 ms. The replay CSV is read and checked at validation (columns,",
        "  numbers, strictly increasing times, positive prices), with errors naming file, line and column.",
        "- `[liquidation.keeper.gas]`: the base fee of one keeper liquidation transaction over time. `constant`",
        "  charges `gas_price` ($ per transaction) at every block (the default). `spike` multiplies it by",
        "  `spike_multiple` over [`spike_start_seconds`, + `spike_duration_seconds`), ramping linearly up and",
        "  down over `spike_ramp_seconds` each (0: a step). `replay` reads a gas price per gas unit from a CSV",
        "  (`price_unit` wei or gwei; times re-based so the first row is 0; `step` holds the last row, `linear`",
        "  interpolates; after the last row the last price holds) and charges gas price x",
        "  `gas_per_transaction` x ETH price, the ETH price being `eth_price` or the index of the market named",
        "  by `eth_price_market`; the CSV is read and checked at validation like a price replay (times strictly",
        "  increasing, prices finite and >= 0). `max_transactions_per_block` (0: unlimited) bounds the keeper",
        "  transactions per block: the others wait for later blocks in the `same_time_order` rule's order.",
        "  Every value is documented with the chain in docs/ARCHITECTURE.md (\"The chain\").",
        "- `[limits]`: validation estimates the events (every periodic process, agent rates, funding",
        "  settlements x accounts) and the memory (recorded rows, trades, accounts) a scenario implies and",
        "  refuses it above `max_events` / `max_memory_mb`, naming the key that drives the estimate.",
        "- Scenario files are at most 4 MiB of UTF-8 TOML; non-ASCII characters are allowed only in strings",
        "  and comments.",
        "- Isolated traders are assigned to markets round robin; cross traders spread their notional over",
        "  every market.", ""]
target = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "docs/scenario-reference.md"
target.write_text("\n".join(out))
