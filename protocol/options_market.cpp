#include "protocol/options_market.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/check.h"

namespace liqsim {

namespace {

constexpr double kSecondsPerYear = 365.0 * 86400.0;
// The band search: steps out from the current underlying at distances growing by kBandGrowth from
// kBandFirst, as far as kBandFloor (down) and kBandCeiling (up), then bisection of the last step to
// kBisections halvings. Beyond the range the band is open; the periodic refresh covers what the coarse
// steps miss (a loss region narrower than a step).
constexpr double kBandFirst = 0.005;
constexpr double kBandGrowth = 1.5;
constexpr double kBandFloor = 0.25;
constexpr double kBandCeiling = 4.0;
constexpr int kBisections = 12;

}  // namespace

OptionsMarket::OptionsMarket(OptionsMarketParams params)
    : params_(std::move(params)),
      base_(params_.slices),
      surface_(params_.slices),
      underlying_(to_double(params_.initial_underlying)),
      underlying_price_(params_.initial_underlying),
      moves_(pm_price_moves(params_.pm_max_move, params_.pm_buckets)) {
  LIQSIM_CHECK(params_.initial_underlying.raw() > 0, "options: the initial underlying must be positive");
  for (size_t s = 0; s < params_.series.size(); ++s)
    books_.push_back(std::make_unique<OrderBook>(params_.tick));
}

uint32_t OptionsMarket::add_member(AccountId account, bool margined) {
  const uint32_t i = uint32_t(members_.size());
  OptionMember m;
  m.account = account;
  m.margined = margined;
  m.contracts.assign(params_.series.size(), Quantity(0));
  members_.push_back(std::move(m));
  member_of_.emplace(account.raw(), i);
  return i;
}

std::optional<uint32_t> OptionsMarket::member_of(AccountId a) const {
  const auto it = member_of_.find(a.raw());
  if (it == member_of_.end()) return std::nullopt;
  return it->second;
}

double OptionsMarket::years_to(Time expiry, Time now) const {
  return std::max(0.0, to_seconds(expiry - now) / kSecondsPerYear);
}

VolSurface OptionsMarket::surface_at(double underlying) const {
  return base_.shocked(std::log(underlying / to_double(params_.initial_underlying)), params_.dynamics);
}

double OptionsMarket::model_price(uint32_t s, double underlying, const VolSurface& surface, Time now) const {
  const OptionSeries& os = params_.series[s];
  return std::max(0.0, surface.price(os.type, underlying, to_double(os.strike), years_to(os.expiry, now)));
}

Price OptionsMarket::mark(uint32_t s, Time now) const {
  return price_from_double(model_price(s, underlying_, surface_, now));
}

Amount OptionsMarket::equity(const Ledger& ledger, uint32_t member, Time now) const {
  const OptionMember& m = members_[member];
  Amount e = ledger.account(m.account).balance;
  for (uint32_t s = 0; s < series_count(); ++s)
    if (m.contracts[s].raw() != 0) e += notional(mark(s, now), m.contracts[s], Round::Down);
  return e;
}

double OptionsMarket::requirement_of(std::span<const Quantity> contracts, double underlying,
                                     const VolSurface& surface, Time now) const {
  PmPortfolio portfolio;
  double short_contracts = 0.0;
  for (uint32_t s = 0; s < series_count(); ++s) {
    if (contracts[s].raw() == 0) continue;
    const OptionSeries& os = params_.series[s];
    const double years = std::max(years_to(os.expiry, now), 1.0 / kSecondsPerYear);
    const double q = to_double(contracts[s]);
    portfolio.options.push_back(PmOptionLeg{os.type, to_double(os.strike), q,
                                            surface.implied_vol(to_double(os.strike), underlying, years),
                                            years * 365.0});
    short_contracts += std::max(0.0, -q);
  }
  if (portfolio.options.empty()) return 0.0;
  const auto grid = pm_scenario_grid(portfolio, underlying, moves_, params_.vol_shock);
  return pm_worst_scenario_loss(grid) + params_.short_option_minimum * underlying * short_contracts;
}

Amount OptionsMarket::requirement(uint32_t member, Time now) const {
  const double r = requirement_of(members_[member].contracts, underlying_, surface_, now);
  return Amount(int64_t(std::ceil(r * double(kAmountScale))));
}

double OptionsMarket::margin_surplus(const Ledger& ledger, uint32_t member, double underlying,
                                     Time now) const {
  const OptionMember& m = members_[member];
  const VolSurface surface = surface_at(underlying);
  double e = to_double(ledger.account(m.account).balance);
  for (uint32_t s = 0; s < series_count(); ++s)
    if (m.contracts[s].raw() != 0) e += to_double(m.contracts[s]) * model_price(s, underlying, surface, now);
  return e - requirement_of(m.contracts, underlying, surface, now);
}

void OptionsMarket::trade_at_mark(Ledger& ledger, uint32_t buyer, uint32_t seller, uint32_t s,
                                  Quantity contracts, Time now, Recorder& recorder) {
  LIQSIM_CHECK(contracts.raw() > 0, "an option trade of no contracts");
  const Price price = mark(s, now);
  ledger.transfer(members_[buyer].account, members_[seller].account, notional(price, contracts, Round::Up));
  members_[buyer].contracts[s] += contracts;
  members_[seller].contracts[s] -= contracts;
  const OptionSeries& os = params_.series[s];
  OptionFillRecord r;
  r.time = now;
  r.account = members_[seller].account.raw();
  r.counterparty = members_[buyer].account.raw();
  r.series = s;
  r.type = os.type == OptionType::Put ? 1 : 0;
  r.side = 1;
  r.strike = os.strike;
  r.expiry = os.expiry;
  r.quantity = contracts;
  r.price = price;
  r.mark = price;
  r.underlying = underlying_price_;
  recorder.on_option_fill(r);
}

void OptionsMarket::apply_fill(Ledger& ledger, uint32_t s, const Fill& f) {
  const auto maker = member_of(f.maker_owner), taker = member_of(f.taker_owner);
  LIQSIM_CHECK(maker && taker, "an option fill between accounts that are not members");
  const bool taker_buys = f.taker_side == Side::Buy;
  const uint32_t buyer = taker_buys ? *taker : *maker, seller = taker_buys ? *maker : *taker;
  ledger.transfer(members_[buyer].account, members_[seller].account,
                  notional(f.price, f.quantity, Round::Up));
  members_[buyer].contracts[s] += f.quantity;
  members_[seller].contracts[s] -= f.quantity;
}

void OptionsMarket::set_underlying(Price underlying) {
  LIQSIM_CHECK(underlying.raw() > 0, "options: a non-positive underlying");
  if (underlying == underlying_price_) return;
  underlying_price_ = underlying;
  underlying_ = to_double(underlying);
  surface_ = surface_at(underlying_);
}

void OptionsMarket::due_checks(std::vector<uint32_t>& out) {
  out.clear();
  out.insert(out.end(), liquidating_.begin(), liquidating_.end());
  const double margin = params_.trigger_margin;
  while (!low_edges_.empty() && underlying_ <= low_edges_.top().edge * (1.0 + margin)) {
    const Edge e = low_edges_.top();
    low_edges_.pop();
    if (e.version == members_[e.member].version && !members_[e.member].liquidating) out.push_back(e.member);
  }
  while (!high_edges_.empty() && underlying_ >= high_edges_.top().edge * (1.0 - margin)) {
    const Edge e = high_edges_.top();
    high_edges_.pop();
    if (e.version == members_[e.member].version && !members_[e.member].liquidating) out.push_back(e.member);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

void OptionsMarket::refresh_band(const Ledger& ledger, uint32_t member, Time now) {
  OptionMember& m = members_[member];
  if (!m.margined || m.liquidating) return;
  const double u = underlying_;
  const auto surplus = [&](double x) { return margin_surplus(ledger, member, x, now); };
  // Walk out from u until the surplus turns negative, then bisect the last step. The surplus is not
  // monotone in general (a strangle loses both ways), so each side is searched alone and the nearest
  // sign change is its edge.
  const auto edge = [&](double sign, double limit) {
    double inside = u;
    for (double distance = kBandFirst;; distance *= kBandGrowth) {
      const double x = u * (1.0 + sign * distance);
      if (sign < 0 ? x < limit : x > limit) return sign < 0 ? 0.0 : std::numeric_limits<double>::infinity();
      if (surplus(x) < 0.0) {
        double outside = x;
        for (int i = 0; i < kBisections; ++i) {
          const double mid = 0.5 * (inside + outside);
          (surplus(mid) < 0.0 ? outside : inside) = mid;
        }
        return inside;
      }
      inside = x;
    }
  };
  m.safe_low = edge(-1.0, u * kBandFloor);
  m.safe_high = edge(1.0, u * kBandCeiling);
  ++m.version;
  file_band(member);
}

void OptionsMarket::file_band(uint32_t member) {
  const OptionMember& m = members_[member];
  if (m.safe_low > 0.0) low_edges_.push(Edge{m.safe_low, member, m.version});
  if (std::isfinite(m.safe_high)) high_edges_.push(Edge{m.safe_high, member, m.version});
}

bool OptionsMarket::check(Ledger& ledger, uint32_t member, Time now, Recorder& recorder) {
  OptionMember& m = members_[member];
  if (!m.margined) return false;
  if (!m.liquidating) {
    const Amount e = equity(ledger, member, now);
    const Amount req = requirement(member, now);
    if (e >= req) {
      refresh_band(ledger, member, now);
      return false;
    }
    m.liquidating = true;
    ++m.version;
    m.liquidation = next_liquidation_++;
    m.trigger_time = now;
    m.trigger_underlying = underlying_;
    m.equity_at_trigger = e;
    m.requirement_at_trigger = req;
    m.gap = Amount(0);
    m.closed = Quantity(0);
    m.at_trigger = m.contracts;
    liquidating_.push_back(member);
  }
  liquidate(ledger, member, now, recorder);
  return m.liquidating;
}

void OptionsMarket::liquidate(Ledger& ledger, uint32_t member, Time now, Recorder& recorder) {
  OptionMember& m = members_[member];
  const bool whole = params_.liquidation_step >= 1.0;
  for (;;) {
    bool open = false, filled = false;
    for (uint32_t s = 0; s < series_count(); ++s) {
      const Quantity q = m.contracts[s];
      if (q.raw() == 0) continue;
      Quantity chunk = abs_quantity(q);
      if (!whole) {
        // This step's slice of the leg: the step's fraction of the leg at the trigger, at least one unit.
        const double slice =
            std::ceil(params_.liquidation_step * double(abs_quantity(m.at_trigger[s]).raw()));
        chunk = std::min(chunk, Quantity(std::max<int64_t>(1, int64_t(slice))));
      }
      filled = close_leg(ledger, member, s, chunk, now, recorder) || filled;
      if (m.contracts[s].raw() != 0) open = true;
    }
    // Flat: done. Nothing filled: the books are empty, wait for them. A whole close waits for the rest.
    // A step that left the member meeting its requirement, the fee paid, ends the liquidation.
    if (!open ||
        (!whole && filled && equity(ledger, member, now) - fee_due(member) >= requirement(member, now))) {
      settle(ledger, member, now, recorder);
      return;
    }
    if (!filled || whole) return;
  }
}

bool OptionsMarket::close_leg(Ledger& ledger, uint32_t member, uint32_t s, Quantity quantity, Time now,
                              Recorder& recorder) {
  OptionMember& m = members_[member];
  const Price mk = mark(s, now);
  const double band = params_.liquidation_band;
  const Side side = m.contracts[s].raw() < 0 ? Side::Buy : Side::Sell;
  const Price tick = params_.tick;
  Price limit = side == Side::Buy ? round_up_to_tick(price_from_double(to_double(mk) * (1.0 + band)), tick)
                                  : round_down_to_tick(price_from_double(to_double(mk) * (1.0 - band)), tick);
  if (limit.raw() < tick.raw()) limit = tick;
  OrderRequest order;
  order.owner = m.account;
  order.side = side;
  order.type = OrderType::ImmediateOrCancel;
  order.limit = limit;
  order.quantity = quantity;
  order.tag = m.liquidation;
  const SubmitResult r = books_[s]->submit(order);
  const OptionSeries& os = params_.series[s];
  for (const Fill& f : r.fills) {
    apply_fill(ledger, s, f);
    // The gap against the account: paying above the mark, or selling below it.
    const Price diff = side == Side::Buy ? f.price - mk : mk - f.price;
    m.gap += notional(diff, f.quantity, Round::Up);
    m.closed += f.quantity;
    OptionFillRecord rec;
    rec.time = now;
    rec.liquidation = m.liquidation;
    rec.account = m.account.raw();
    rec.counterparty = f.maker_owner.raw();
    rec.series = s;
    rec.type = os.type == OptionType::Put ? 1 : 0;
    rec.side = side == Side::Buy ? 0 : 1;
    rec.strike = os.strike;
    rec.expiry = os.expiry;
    rec.quantity = f.quantity;
    rec.price = f.price;
    rec.mark = mk;
    rec.underlying = underlying_price_;
    recorder.on_option_fill(rec);
  }
  return !r.fills.empty();
}

Amount OptionsMarket::fee_due(uint32_t member) const {
  return apply(notional(underlying_price_, members_[member].closed, Round::Up), params_.liquidation_fee,
               Round::Up);
}

void OptionsMarket::settle(Ledger& ledger, uint32_t member, Time now, Recorder& recorder) {
  OptionMember& m = members_[member];
  const Amount cash = ledger.account(m.account).balance;
  bool flat = true;
  for (const Quantity q : m.contracts) flat = flat && q.raw() == 0;
  OptionLiquidationRecord r;
  r.id = m.liquidation;
  r.trigger_time = m.trigger_time;
  r.time = now;
  r.account = m.account.raw();
  r.underlying_at_trigger = price_from_double(m.trigger_underlying);
  r.equity_at_trigger = m.equity_at_trigger;
  r.requirement_at_trigger = m.requirement_at_trigger;
  r.contracts = m.closed;
  r.gap = m.gap;
  r.equity_after = flat ? cash : equity(ledger, member, now);
  // The fee on the underlying notional closed, from what is left (of the balance and the equity); a flat
  // member's negative balance goes to the fund, then to bad debt (Ledger::fund_debit). A member left with
  // positions met its requirement, so its equity is positive.
  r.fee = std::clamp(fee_due(member), Amount(0), std::max(std::min(cash, r.equity_after), Amount(0)));
  if (r.fee.raw() > 0) ledger.fund_credit(m.account, r.fee);
  if (flat && cash.raw() < 0) {
    r.insurance_paid = ledger.fund_debit(m.account, -cash);
    r.bad_debt = -cash - r.insurance_paid;
  }
  recorder.on_option_liquidation(r);
  m.liquidating = false;
  ++m.version;
  liquidating_.erase(std::find(liquidating_.begin(), liquidating_.end(), member));
  if (!flat) refresh_band(ledger, member, now);
}

bool OptionsMarket::positions_balanced() const {
  for (uint32_t s = 0; s < series_count(); ++s) {
    __int128 sum = 0;
    for (const OptionMember& m : members_) sum += m.contracts[s].raw();
    if (sum != 0) return false;
  }
  return true;
}

}  // namespace liqsim
