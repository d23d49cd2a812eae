"""A gym-style environment over the stepping API: one agent under outside control trades a perpetual
against every other agent of a scenario (docs/python.md, "Training an agent").

    env = liqsim.LiquidationEnv("small", step_seconds=10)
    observation, info = env.reset(seed=1)
    while True:
        observation, reward, terminated, truncated, info = env.step(env.action_space.sample())
        if terminated or truncated:
            break

The API is Gymnasium's (reset(seed) -> (observation, info); step(action) -> (observation, reward,
terminated, truncated, info); action_space, observation_space with sample(), n, shape) without depending
on Gymnasium, which Debian 12 does not package. The agent is a liquidation hunter's account whose own rule
never acts (a `[[hunters]]` group of one with max_position = 0, appended when the scenario has none; with
hunter groups the last account of the last group is the agent's). Actions: 0 sell `order_size` coins,
1 hold, 2 buy `order_size` coins (immediate-or-cancel within `slippage` of the mark; the position stays
within +-`max_position`), 3 close the position. Its information set is public data and its own account:
the observation is (mark / initial mark - 1, (index - mark) / mark, change of the open interest over the
step / open interest, bid and ask depth within 1 % of the mark / max_position, the agent's position /
max_position, its equity less deposits / capital, the elapsed share of the run). The reward is the change
of its equity less deposits over the step, in dollars / reward_scale.
"""
import numpy as np

from ._run import Simulation
from ._scenario import as_scenario

_PRICE = 1e6      # Price raw units per dollar (core/units.h)
_QUANTITY = 1e8   # Quantity raw units per coin
_AMOUNT = 1e6     # Amount raw units per dollar


class Discrete:
    """n actions 0 .. n-1."""

    def __init__(self, n: int, seed: int = 0):
        self.n = n
        self._rng = np.random.default_rng(seed)

    def sample(self) -> int:
        return int(self._rng.integers(self.n))

    def contains(self, x) -> bool:
        return isinstance(x, (int, np.integer)) and 0 <= int(x) < self.n


class Box:
    """Real vectors of a fixed shape within [low, high]."""

    def __init__(self, low: float, high: float, shape: tuple):
        self.low, self.high, self.shape = low, high, shape


class LiquidationEnv:
    OBSERVATIONS = ("mark_return", "basis", "open_interest_change", "bid_depth", "ask_depth", "position",
                    "profit", "elapsed")

    def __init__(self, scenario="small", overrides=None, *, step_seconds: float = 10.0, market: int = 0,
                 order_size: float = 1.0, max_position: float = 10.0, capital: float = 1_000_000.0,
                 slippage: float = 0.01, reward_scale: float = 1000.0):
        if not step_seconds > 0:
            raise ValueError(f"step_seconds = {step_seconds!r}: must be > 0")
        if not 0 < order_size <= max_position:
            raise ValueError(f"order_size = {order_size!r}: must be in (0, max_position = {max_position!r}]")
        if not 0 < slippage < 0.5:
            raise ValueError(f"slippage = {slippage!r}: must be in (0, 0.5)")
        if not reward_scale > 0:
            raise ValueError(f"reward_scale = {reward_scale!r}: must be > 0")
        base = as_scenario(scenario, overrides)
        if "[[hunters]]" not in base.toml:
            base = base.with_overrides({"hunters": [{"count": 1, "max_position": 0, "capital": capital}]})
        self._base = base
        self.step_seconds, self.market = float(step_seconds), int(market)
        self.order_size, self.max_position = float(order_size), float(max_position)
        self.capital, self.slippage, self.reward_scale = float(capital), float(slippage), float(reward_scale)
        self.action_space = Discrete(4)
        self.observation_space = Box(-np.inf, np.inf, (len(self.OBSERVATIONS),))
        self._sim = None

    # --- the Gymnasium API ---------------------------------------------------------------------------
    def reset(self, seed=None, options=None):
        """A new day: the scenario's seed, or `seed`. Returns (observation, info)."""
        scenario = self._base if seed is None else self._base.with_seed(int(seed))
        self._sim = Simulation(scenario)
        roles = self._sim._native.accounts()["role"]  # to find the agent's account (role 5: hunter)
        self.account = int(np.nonzero(roles == 5)[0][-1])
        self._initial_mark = self._sim._native.view(self.market)["mark"]
        self._last_open_interest = None
        self._last_profit = 0.0
        return self._observe(), {"account": self.account, "seed": scenario.seed}

    def step(self, action):
        if self._sim is None:
            raise RuntimeError("call reset() first")
        if not self.action_space.contains(action):
            raise ValueError(f"action {action!r}: allowed 0 (sell), 1 (hold), 2 (buy), 3 (close)")
        self._act(int(action))
        self._sim.step(self.step_seconds)
        observation = self._observe()
        profit = self._profit()
        reward = (profit - self._last_profit) / self.reward_scale
        self._last_profit = profit
        terminated = self._sim.done
        return observation, reward, terminated, False, {"profit": profit, "position": self._position()}

    # --- the agent's door -------------------------------------------------------------------------
    def _position(self) -> float:
        return self._sim._native.own_account(self.account)["position"][self.market] / _QUANTITY

    def _profit(self) -> float:
        own = self._sim._native.own_account(self.account)
        return (own["equity"] - own["deposits"]) / _AMOUNT

    def _act(self, action: int) -> None:
        position = self._position()
        if action == 1 or (action == 3 and position == 0):
            return
        view = self._sim._native.view(self.market)
        tick = view["tick"]
        if action == 3:
            side, quantity, reduce_only = ("sell" if position > 0 else "buy"), abs(position), True
        else:
            side = "buy" if action == 2 else "sell"
            room = self.max_position - position if side == "buy" else self.max_position + position
            quantity, reduce_only = min(self.order_size, room), False
        if quantity <= 1e-8:
            return
        mark = view["mark"]
        limit = mark * (1 + self.slippage) if side == "buy" else mark * (1 - self.slippage)
        limit = int(limit // tick) * tick if side == "buy" else int(-(-limit // tick)) * tick
        self._sim._native.submit_ioc(self.account, self.market, side, int(round(quantity * _QUANTITY)), int(limit),
                                     reduce_only)

    def _observe(self) -> np.ndarray:
        native = self._sim._native
        view = native.view(self.market)
        mark = view["mark"]
        band = int(mark * 0.01)
        bid = native.depth(self.market, "bid", max(1, mark - band)) / _QUANTITY
        ask = native.depth(self.market, "ask", mark + band) / _QUANTITY
        open_interest = view["open_interest"]
        previous = self._last_open_interest if self._last_open_interest is not None else open_interest
        self._last_open_interest = open_interest
        return np.array([
            mark / self._initial_mark - 1,
            (view["index"] - mark) / mark,
            (open_interest - previous) / max(previous, 1),
            bid / self.max_position,
            ask / self.max_position,
            self._position() / self.max_position,
            self._profit() / self.capital,
            self._sim.now / self._sim.end,
        ], dtype=np.float64)
