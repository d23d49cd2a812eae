#include "agents/keeper.h"

#include <algorithm>

#include "core/check.h"
#include "protocol/comet_mechanism.h"

namespace liqsim {

namespace {
// The quantity `cash` buys at `price` per coin, rounded down (none for cash <= 0).
Quantity affordable_quantity(Amount cash, Price price) {
  if (cash.raw() <= 0 || price.raw() <= 0) return Quantity(0);
  const __int128 q = (__int128)cash.raw() * kQuantityScale / price.raw();
  return Quantity(int64_t(std::min<__int128>(q, INT64_MAX)));
}
}  // namespace

Keepers::Keepers(KeeperParams params, std::vector<AccountId> accounts, uint64_t master_seed)
    : params_(params) {
  // The population's strategy (count and fee unused: each keeper draws its own fee below).
  const KeeperStrategy population{0,
                                  Amount(0),
                                  params.min_profit,
                                  params.twap,
                                  params.hold,
                                  params.flash_loan,
                                  params.auction.valuation_discount};
  for (uint32_t i = 0; i < accounts.size(); ++i) {
    Rng rng(master_seed, StreamKind::Keeper, i);
    // Each keeper bids one priority fee, drawn once: its place in the priority-gas auction.
    const int64_t lo = params.priority_fee_min.raw(), hi = params.priority_fee_max.raw();
    const Amount fee = Amount(rng.uniform_int(lo, hi));
    Amount cap;
    if (i < params.capped && params.gas_cap.raw() > 0) {
      // Drawn only for capped keepers, after the fee: runs without caps keep their streams.
      const double u = rng.uniform01();
      cap = std::max(Amount(1), Amount(int64_t(double(params.gas_cap.raw()) *
                                               (1.0 - to_double(params.gas_cap_spread) * u))));
    }
    keepers_.push_back(Keeper{accounts[i], std::move(rng), fee, cap, {}, {}});
    keepers_.back().strategy = population;
  }
  size_t grouped = 0;
  for (const KeeperStrategy& g : params.groups) grouped += g.count;
  LIQSIM_CHECK(grouped <= keepers_.size(), "more grouped keepers than keepers");
  ungrouped_ = uint32_t(keepers_.size() - grouped);
  // The groups' members are the last keepers (their draws above are made anyway: a group added does not
  // change another keeper's stream).
  size_t i = ungrouped_;
  for (const KeeperStrategy& g : params.groups)
    for (uint32_t n = 0; n < g.count; ++n, ++i) {
      keepers_[i].priority_fee = g.priority_fee;
      keepers_[i].strategy = g;
    }
  for (const Keeper& k : keepers_) any_flash_ = any_flash_ || k.strategy.flash_loan;
}

std::optional<Keepers::Expected> Keepers::expected_take(const KeeperParams& params, const ClearingHouse& ch,
                                                        AccountId target) {
  const MarketId m = largest_exposure(ch, target);
  const Quantity size = ch.ledger().position(target, m).size;
  if (size.raw() == 0) return std::nullopt;
  const KeeperTakeTerms terms = keeper_take_terms(params.liquidation, size, ch.mark(m), ch.health(target));
  return Expected{m, terms, notional(ch.mark(m), terms.take, Round::Down)};
}

std::optional<Amount> Keepers::book_value(const OrderBook& book, Side resting, Quantity quantity) {
  std::vector<std::pair<Price, Quantity>> levels;
  book.depth(resting, 4096, levels);
  Amount total;
  Quantity left = quantity;
  for (const auto& [price, available] : levels) {
    const Quantity q = std::min(left, available);
    total += notional(price, q, resting == Side::Buy ? Round::Down : Round::Up);
    left -= q;
    if (left.raw() == 0) return total;
  }
  return std::nullopt;
}

std::optional<Amount> Keepers::book_sale(const OrderBook& book, Quantity quantity, Ratio taker_fee) {
  const std::optional<Amount> gross = book_value(book, Side::Buy, quantity);
  if (!gross) return std::nullopt;
  return *gross - apply(*gross, taker_fee, Round::Up);
}

bool Keepers::available(uint32_t i, Time now, Amount base_fee) const {
  if (i < params_.down && now >= params_.outage_start && now < params_.outage_end) return false;
  if (keepers_[i].gas_cap.raw() > 0 && base_fee > keepers_[i].gas_cap) return false;
  return true;
}

void Keepers::send(AgentContext& ctx, Keeper& k, AccountId target, Amount fee, const TxIntent& intent) {
  // A transaction whose sender cannot pay its gas at the current base fee is not valid on chain: a bot
  // with less equity than that sends nothing, whatever profit it expects.
  if (ctx.clearing().equity(k.account) < ctx.base_fee() + fee) return;
  const double jitter = k.rng.uniform01() * double(params_.latency_jitter.raw());
  k.pending.insert(target);
  ctx.send_liquidation_tx(k.account, target, ctx.now() + params_.latency + Time(int64_t(jitter)), fee,
                          intent);
}

void Keepers::on_auction_opportunity(AgentContext& ctx, AccountId target) {
  const ClearingHouse& ch = ctx.clearing();
  const Amount base_fee = ctx.base_fee();
  const std::vector<AuctionView> auctions = ctx.auctions(target);
  if (auctions.empty()) {
    // A vault to bark: Dog.bark pays tip + chip x tab to its caller (Clipper.kick).
    if (!params_.auction.bark || !ch.liquidatable(target)) return;
    const Amount debt = std::max(Amount(0), -ch.ledger().account(target).balance);
    if (debt.raw() <= 0 && !params_.auction.bark_any_position) return;
    const Amount tab = apply(debt, params_.auction.chop, Round::Down);
    const Amount incentive = params_.auction.bark_tip + apply(tab, params_.auction.bark_chip, Round::Down);
    // Comet's absorb and buy: the lot of the largest exposure at the store price, valued like a take.
    const MarketId m = largest_exposure(ch, target);
    const Quantity lot = ch.ledger().position(target, m).size;
    const Price market = ctx.view(m).index;
    const Price store = apply(ch.mark(m), Ratio(kRatioScale) - params_.auction.buy_discount, Round::Down);
    const bool store_open = params_.auction.buy_on_bark && lot.raw() > 0 && store.raw() > 0 &&
                            comet_store_open(ch.ledger(), params_.auction.buy_target_reserves);
    for (uint32_t i = 0; i < keepers_.size(); ++i) {
      Keeper& k = keepers_[i];
      if (k.pending.contains(target) || !available(i, ctx.now(), base_fee)) continue;
      const Price value = apply(market, Ratio(kRatioScale) - k.strategy.valuation_discount, Round::Down);
      const bool buy = store_open && store <= value;
      TxIntent intent{TxAction::Bark};
      Amount gain = incentive;
      if (buy) {
        intent.quantity = std::min(lot, affordable_quantity(ch.ledger().account(k.account).balance, store));
        intent.max_price = value;
        gain += notional(market, intent.quantity, Round::Down) - notional(store, intent.quantity, Round::Up);
      }
      if (gain - base_fee - k.priority_fee < k.strategy.min_profit) continue;
      send(ctx, k, target, k.priority_fee, intent);
    }
    return;
  }
  // The last params_.lowball keepers outside the groups are the lowballers.
  const size_t first_lowball = ungrouped_ - std::min<size_t>(params_.lowball, ungrouped_);
  for (const AuctionView& v : auctions) {
    // A debt auction's lot is MKR, valued at the price its view states; collateral at the market's index.
    const Price market = v.kind == AuctionKind::Debt ? v.price : ctx.view(v.market).index;
    if (v.lot.raw() <= 0) continue;
    for (uint32_t i = 0; i < keepers_.size(); ++i) {
      Keeper& k = keepers_[i];
      if (k.pending.contains(target) || !available(i, ctx.now(), base_fee)) continue;
      // The keeper's own valuation: the market less its discount (its bidding strategy in auctions).
      const Price value = apply(market, Ratio(kRatioScale) - k.strategy.valuation_discount, Round::Down);
      if (value.raw() <= 0) continue;
      const Amount cost = base_fee + k.priority_fee;
      const Amount cash = ch.ledger().account(k.account).balance;
      TxIntent intent;
      intent.auction = v.id;
      if (v.kind == AuctionKind::Debt) {
        // Flopper.dent: accept the largest lot the Flopper allows if it is still worth the fixed bid; the
        // DAI stays locked until another bidder repays it.
        if (v.bidder == k.account) continue;
        const Quantity lot = v.max_lot;
        if (lot.raw() <= 0 || v.tab > cash) continue;
        if (notional(value, lot, Round::Down) - v.tab - cost < k.strategy.min_profit) continue;
        intent.action = TxAction::Dent;
        intent.quantity = lot;
      } else if (v.kind == AuctionKind::Dutch) {
        if (v.needs_redo) {
          if (v.redo_incentive - cost < k.strategy.min_profit) continue;
          intent.action = TxAction::Redo;
        } else {
          if (v.price.raw() <= 0 || v.price > value) continue;
          // Clipper.take of what its DAI pays for at the current price, at most the lot.
          const Quantity affordable = affordable_quantity(cash, v.price);
          const Quantity amount = std::min(v.lot, affordable);
          if (amount.raw() <= 0) continue;
          const Amount gain = notional(market, amount, Round::Down) - notional(v.price, amount, Round::Up);
          if (gain - cost < k.strategy.min_profit) continue;
          intent.action = TxAction::Take;
          intent.quantity = amount;
          intent.max_price = value;
        }
      } else {
        if (v.bidder == k.account) continue;  // its bid stands
        const Amount lot_value = notional(market, v.lot, Round::Down);
        if (!v.dent_phase) {
          const bool lowball = i >= first_lowball && i < ungrouped_;
          // Tend: the lowballer bids the smallest acceptable step, the others their valuation of the lot
          // (at most the tab).
          const Amount bid = lowball ? v.min_bid : std::min(v.tab, notional(value, v.lot, Round::Down));
          if (bid < v.min_bid || bid > cash || lot_value - bid - cost < k.strategy.min_profit) continue;
          intent.action = TxAction::Tend;
          intent.bid = bid;
        } else {
          if (i >= first_lowball && i < ungrouped_) continue;  // lowballers never dent
          // Dent: accept the smallest decrease the Flipper requires if the lot still covers the tab at
          // the keeper's valuation.
          const Quantity lot = v.max_lot;
          if (lot.raw() <= 0 || notional(value, lot, Round::Down) < v.tab || v.tab > cash) continue;
          if (notional(market, lot, Round::Down) - v.tab - cost < k.strategy.min_profit) continue;
          intent.action = TxAction::Dent;
          intent.quantity = lot;
        }
      }
      send(ctx, k, target, k.priority_fee, intent);
    }
  }
}

void Keepers::on_opportunity(AgentContext& ctx, AccountId target) {
  if (params_.auction.enabled) {
    on_auction_opportunity(ctx, target);
    return;
  }
  const ClearingHouse& ch = ctx.clearing();
  // The mechanism's own simulation of the call where it offers one (Drift, Synthetix: also which call to
  // send), else the keeper rule's terms.
  MarketId m;
  Quantity take;
  Amount value, reward;
  std::optional<AccountId> beneficiary;
  Amount beneficiary_reward;
  TxAction action = TxAction::Liquidate;
  if (const std::optional<LiquidationQuote> quote = ctx.liquidation_quote(target)) {
    action = quote->action;
    m = quote->market;
    take = quote->take;
    value = quote->value;
    reward = quote->reward;
    beneficiary = quote->beneficiary;
    beneficiary_reward = quote->beneficiary_reward;
  } else {
    const std::optional<Expected> expected = expected_take(params_, ch, target);
    if (!expected) return;
    m = expected->market;
    take = expected->terms.take;
    value = expected->value;
    reward = expected->terms.reward - expected->terms.protocol_fee;  // the keeper's part
  }
  const TxIntent intent{action};
  // A flash loan pays for a long's collateral that the keeper's unwind venue (the market's pool, or its
  // book) can buy; anything else (a short, a market without a pool, another call) a flash keeper takes
  // with its own capital as the others do.
  const std::optional<VenueId> amm = params_.unwind_on_amm ? ctx.amm_of(m) : std::nullopt;
  const bool long_take = ch.ledger().position(target, m).size.raw() > 0;
  const bool flash_eligible =
      any_flash_ && (amm || !params_.unwind_on_amm) && long_take && action == TxAction::Liquidate;
  // The flash take's reward: the loan pays the take's cost (its value less the keeper's reward, one
  // micro-dollar over for the rounding); the pool, or the book's bids net of the taker fee, pay for the
  // coins now. None: the venue cannot buy them.
  std::optional<Amount> flash_reward;
  if (flash_eligible) {
    const Amount loan = flash_loan_amount(value, reward);
    std::optional<Amount> sale;
    if (amm) {
      const SwapPreview swap =
          ctx.pool_at(*amm)->preview(ExecutionRequest{AccountId(0), Side::Sell, take, Price(1), false, -1});
      if (swap.filled == take) sale = swap.quote;
    } else {
      sale = book_sale(ctx.book(m), take, ch.market(m).taker_fee);
    }
    if (sale) flash_reward = *sale - loan - apply(loan, params_.flash_loan_fee, Round::Up);
  }
  // The reward of a take carried with the keeper's own capital. Unwind at the book instead of the mark: a
  // long take sells into the bids, a short one buys from the asks; the difference from its value at the
  // mark is added to the reward (usually a cost); none when the book cannot absorb it.
  std::optional<Amount> carried_reward = reward;
  if (params_.unwind_valuation_book && action == TxAction::Liquidate) {
    const std::optional<Amount> at_book = book_value(ctx.book(m), long_take ? Side::Buy : Side::Sell, take);
    carried_reward = at_book
                         ? std::optional<Amount>(reward + (long_take ? *at_book - value : value - *at_book))
                         : std::nullopt;
  }
  const Amount base_fee = ctx.base_fee();
  for (uint32_t i = 0; i < keepers_.size(); ++i) {
    Keeper& k = keepers_[i];
    if (k.pending.contains(target) || !available(i, ctx.now(), base_fee)) continue;
    if (action == TxAction::ForceLiquidate) {
      // Only endorsed liquidators may send it, and they do as the protocol's service, not for profit.
      if (i < params_.endorsed) send(ctx, k, target, k.priority_fee, intent);
      continue;
    }
    const bool flash = k.strategy.flash_loan && flash_eligible;
    const std::optional<Amount>& terms = flash ? flash_reward : carried_reward;
    if (!terms) continue;
    // What this keeper would earn: a reward it already earned (its flag) is paid by this transaction too.
    const Amount earned = *terms + (beneficiary == k.account ? beneficiary_reward : Amount(0));
    Amount fee = k.priority_fee;
    if (params_.bidding == KeeperBidding::Adaptive) {
      const std::optional<Amount> bid =
          adaptive_bid(params_, k.priority_fee, earned, base_fee, k.strategy.min_profit);
      if (!bid) continue;
      fee = *bid;
    }
    const Amount cost = base_fee + fee;
    if (earned - cost < k.strategy.min_profit) continue;
    // Capital: the keeper must be able to post initial margin at max leverage on the seized position at
    // the mark (with a flash loan, nothing beyond its gas).
    const Amount needed = flash ? Amount(0)
                                : ch.maintenance(k.account) + ch.margin_model(k.account, m)
                                                                  .initial_margin_at_max_leverage(
                                                                      abs_quantity(take), ctx.view(m).mark);
    if (ch.equity(k.account) - cost < needed) continue;
    TxIntent mine = intent;
    mine.flash_loan = flash;
    send(ctx, k, target, fee, mine);
  }
}

Amount Keepers::next_bid_level(const KeeperParams& params, Amount level, bool won) {
  const Amount next =
      won ? apply(level, params.bid_decay, Round::Down) : apply(level, params.bid_raise, Round::Up);
  return std::clamp(next, params.priority_fee_min, params.priority_fee_max);
}

std::optional<Amount> Keepers::adaptive_bid(const KeeperParams& params, Amount level, Amount reward,
                                            Amount base_fee, Amount min_profit) {
  const Amount bid = std::min(level, reward - base_fee - min_profit);
  if (bid < params.priority_fee_min) return std::nullopt;
  return bid;
}

void Keepers::on_transaction_result(AgentContext& ctx, uint32_t i, AccountId target,
                                    const KeeperTakeover& result) {
  Keeper& k = keepers_[i];
  k.pending.erase(target);
  // A lost race: the account was no longer liquidatable when the transaction ran (someone else was
  // first, or, rarely, the account recovered: the keeper cannot tell them apart either).
  if (params_.bidding == KeeperBidding::Adaptive && !params_.auction.enabled &&
      result.outcome != KeeperOutcome::KeeperUndercollateralised)
    k.priority_fee = next_bid_level(params_, k.priority_fee, result.outcome == KeeperOutcome::Liquidated);
  // Auctions: a bark, a redo or a bid moves no collateral to the keeper (a won English auction is
  // delivered when it is settled, with its lot).
  if (result.outcome != KeeperOutcome::Liquidated || result.quantity.raw() == 0) return;
  const int slices = k.strategy.twap ? std::max(1, params_.twap_slices) : 1;
  Unwind u{result.market, result.quantity, Quantity(0), *result.liquidation, ctx.view(result.market).mark,
           ctx.now()};
  const Quantity abs_q = result.quantity.raw() < 0 ? -result.quantity : result.quantity;
  u.slice = Quantity((abs_q.raw() + slices - 1) / slices);
  if (k.strategy.hold) {  // held whole until the risk rule says otherwise; one check stream per keeper
    k.unwinds.push_back(u);
    if (!k.hold_check_pending) ctx.wake(ctx.now() + params_.hold_check, i, kHoldCheck);
    k.hold_check_pending = true;
    return;
  }
  k.unwinds.push_back(u);
  unwind_slice(ctx, k, k.unwinds.back());
  if (k.unwinds.back().remaining.raw() == 0) {
    k.unwinds.pop_back();
  } else {
    const Time step = Time(params_.twap_horizon.raw() / slices);
    ctx.wake(ctx.now() + step, i, result.liquidation->raw());  // the wake-up carries the raw id
  }
}

void Keepers::on_wake(AgentContext& ctx, uint32_t i, int64_t arg) {
  Keeper& k = keepers_[i];
  if (arg == kHoldCheck) {
    k.hold_check_pending = false;
    for (size_t n = 0; n < k.unwinds.size();) {
      if (hold_over(ctx, k.unwinds[n])) unwind_slice(ctx, k, k.unwinds[n]);
      if (k.unwinds[n].remaining.raw() == 0)
        k.unwinds.erase(k.unwinds.begin() + std::ptrdiff_t(n));
      else
        ++n;
    }
    if (!k.unwinds.empty()) {
      ctx.wake(ctx.now() + params_.hold_check, i, kHoldCheck);
      k.hold_check_pending = true;
    }
    return;
  }
  const LiquidationId liquidation(arg);
  auto it = std::find_if(k.unwinds.begin(), k.unwinds.end(),
                         [&](const Unwind& u) { return u.liquidation == liquidation; });
  if (it == k.unwinds.end()) return;
  unwind_slice(ctx, k, *it);
  if (it->remaining.raw() == 0) {
    k.unwinds.erase(it);
  } else {
    const int slices = std::max(1, params_.twap_slices);
    ctx.wake(ctx.now() + Time(params_.twap_horizon.raw() / slices), i, arg);
  }
}

bool Keepers::hold_over(AgentContext& ctx, const Unwind& u) const {
  if (ctx.now() - u.since >= params_.hold_horizon || u.entry.raw() <= 0) return true;
  // The keeper's gain per unit of the seizure's mark: a long gains when the mark rises, a short when it
  // falls.
  const double move = double(ctx.view(u.market).mark.raw()) / double(u.entry.raw()) - 1.0;
  const double gain = u.remaining.raw() > 0 ? move : -move;
  return gain >= params_.hold_take_profit || gain <= -params_.hold_stop_loss;
}

void Keepers::unwind_slice(AgentContext& ctx, Keeper& k, Unwind& u) {
  const bool sell = u.remaining.raw() > 0;
  const Quantity abs_rem = sell ? u.remaining : -u.remaining;
  // The unwind only reduces what the keeper still holds in the market.
  const Quantity held = ctx.clearing().ledger().position(k.account, u.market).size;
  Quantity q = std::min(u.slice, abs_rem);
  const Quantity reducible = (held.raw() > 0) == sell ? (held.raw() < 0 ? -held : held) : Quantity(0);
  q = std::min(q, reducible);
  if (q.raw() > 0) {
    OrderRequest order{
        k.account,          sell ? Side::Sell : Side::Buy, OrderType::Market, std::nullopt, q, true,
        u.liquidation.raw()};  // the order tag carries the raw id
    const std::optional<VenueId> amm = params_.unwind_on_amm ? ctx.amm_of(u.market) : std::nullopt;
    if (amm) {
      // A swap with a minimum output: no unit below (above, for a buy) the index x (1 -+ slippage), the
      // keeper's valuation of the coin; what the pool cannot take at that the keeper carries.
      const Price index = ctx.view(u.market).index;
      order.type = OrderType::ImmediateOrCancel;
      order.limit = sell ? apply(index, Ratio(kRatioScale) - params_.amm_max_slippage, Round::Up)
                         : apply(index, Ratio(kRatioScale) + params_.amm_max_slippage, Round::Down);
    }
    const SubmitResult r = amm ? ctx.submit_at(*amm, order) : ctx.submit(u.market, order);
    q = r.filled;
  }
  // Whatever did not fill (an empty book side) is carried by the keeper: stop tracking it.
  u.remaining = q.raw() > 0 && abs_rem > q ? (sell ? abs_rem - q : -(abs_rem - q)) : Quantity(0);
}

}  // namespace liqsim
