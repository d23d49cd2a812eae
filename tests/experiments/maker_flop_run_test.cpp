// Maker's debt auctions in whole runs (protocol/maker_auction.h, `flop` of maker_flip / maker_clip): the
// Black Thursday replay under Liquidations 1.2 leaves millions of system debt; with the Vow's Flopper
// the debt is auctioned in sump-sized lots of MKR (dss flop.sol, vow.sol): each auction raised exactly
// sump, its lot fell by at least beg per dent, the MKR minted is what the winners hold, and the recorded
// bad debt left is less than one auction's bid.
#include <gtest/gtest.h>

#include <cmath>

#include "experiments/scenario_loader.h"
#include "experiments/simulation.h"
#include "tests/sanitizer_build.h"

namespace liqsim {
namespace {

Scenario black_thursday(const std::vector<ScenarioOverride>& overrides) {
  const ScenarioResult r = load_scenario_file(
      std::string(LIQSIM_SOURCE_DIR) + "/examples/black_thursday_maker_liq1.toml", overrides);
  if (const auto* errors = std::get_if<std::vector<ScenarioError>>(&r)) {
    for (const auto& e : *errors) ADD_FAILURE() << e.message();
    return Scenario{};
  }
  return std::get<Scenario>(r);
}

// (Without debt auctions the same day leaves $9.26M of bad debt: maker_auction_run_test.cpp.)
TEST(MakerFlopRun, DebtAuctionsCoverTheSystemDebtWithMintedMkr) {
  if (testing_support::kSanitizedBuild) GTEST_SKIP() << "whole-day run: release build only";
  const RunResult r =
      run_simulation(black_thursday({{"liquidation.maker_flip.flop.enabled", "true"}}), "", {});
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  const Amount sump = amount_from_double(50'000);
  const Quantity dump = quantity_from_double(250);
  uint64_t debt_auctions = 0;
  Quantity minted;
  for (const AuctionRecord& a : r.log.auctions) {
    if (a.kind != 3) continue;
    ++debt_auctions;
    EXPECT_EQ(a.raised, sump);
    EXPECT_EQ(a.tab, sump);
    EXPECT_EQ(a.restarts, 0u);  // every auction drew a bid before its end
    EXPECT_EQ(a.lot, dump);
    EXPECT_GE(a.bids, 1u);
    // Each dent lowered the lot by at least beg = 1.05: after n dents at most 250 / 1.05^n.
    EXPECT_LE(to_double(a.sold), 250.0 / std::pow(1.05, a.bids) + 1e-8);
    // Bidders dent only while the lot is worth the bid at their valuation ($300 per MKR).
    EXPECT_GE(to_double(a.sold) * 300.0, 50'000.0);
    minted += a.sold;
  }
  EXPECT_GT(debt_auctions, 20u);
  EXPECT_GT(r.summary.debt_auction_raised, amount_from_double(1'000'000));
  EXPECT_EQ(r.summary.debt_auctions, debt_auctions);
  EXPECT_EQ(r.summary.debt_auction_raised, Amount(sump.raw() * int64_t(debt_auctions)));
  EXPECT_EQ(r.summary.mkr_minted, minted);
  // The MKR exists only in the winners' hands (the outside place holds minus the supply).
  int64_t held = 0;
  for (const HoldingFinal& h : r.log.holdings)
    if (h.account >= kPlaceCount && h.amount > 0) held += h.amount;
  EXPECT_EQ(held, minted.raw());
  // What is left recorded is less than one more auction would raise, and the loss is still the protocol's.
  EXPECT_LT(r.summary.bad_debt, sump);
  EXPECT_GE(r.summary.protocol_loss, r.summary.debt_auction_raised);
}

// A smaller day with a small sump, so that debt auctions run among few vaults: money and MKR conserved
// after every event.
TEST(MakerFlopRun, ConservedAfterEveryEvent) {
  RunOptions options;
  options.check_every_event = true;
  const RunResult r = run_simulation(black_thursday({{"traders.count", "40"},
                                                     {"liquidation.maker_flip.flop.enabled", "true"},
                                                     {"liquidation.maker_flip.flop.sump", "1000"},
                                                     {"liquidation.maker_flip.flop.dump", "5"}}),
                                     "", options);
  EXPECT_EQ(r.summary.conservation_residual, Amount(0));
  EXPECT_GT(r.summary.debt_auctions, 0u);
}

}  // namespace
}  // namespace liqsim
