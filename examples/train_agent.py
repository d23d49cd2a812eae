#!/usr/bin/python3
"""Train one agent against the rest of a scenario: tabular Q-learning over liqsim.LiquidationEnv.

    PYTHONPATH=build/python /usr/bin/python3 examples/train_agent.py [--episodes 60] [--preset small]

The agent trades the perpetual of the `small` preset (an 18 % fall of the fundamental at 1 h, a
leveraged crowd liquidated into the book) every 30 s: sell, hold, buy one coin, or close, within 10 coins.
Its state is the mark's move since the start (5 buckets), the basis sign (3) and its own position's sign
(3); epsilon-greedy with epsilon decaying from 1 to 0.05, learning rate 0.1, discount 0.99. Training days
are seeds 1.., evaluation days seeds 1001-1010 (never trained on); the greedy policy's mean profit is
compared with holding nothing and with random actions. The day's shock time is the same in every seed,
so what it can learn is to be short into the fall and to cover after it.
"""
import argparse
import sys
import time

import numpy as np

import liqsim


def state_of(observation) -> int:
    move = np.digitize(observation[0], [-0.10, -0.04, -0.01, 0.01])  # 5 buckets of the mark's move
    basis = 0 if observation[1] < -1e-4 else (2 if observation[1] > 1e-4 else 1)
    position = 0 if observation[5] < 0 else (2 if observation[5] > 0 else 1)
    return int((move * 3 + basis) * 3 + position)


def play(env, seed, policy):
    observation, _ = env.reset(seed=seed)
    total = 0.0
    while True:
        observation, reward, terminated, truncated, info = env.step(policy(observation))
        total += reward
        if terminated or truncated:
            return info["profit"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small")
    parser.add_argument("--episodes", type=int, default=60)
    parser.add_argument("--evaluation-days", type=int, default=10)
    args = parser.parse_args()
    start = time.time()
    env = liqsim.LiquidationEnv(args.preset, step_seconds=30, order_size=1, max_position=10)
    rng = np.random.default_rng(7)
    q = np.zeros((5 * 3 * 3, env.action_space.n))
    for episode in range(args.episodes):
        epsilon = max(0.05, 1.0 - episode / (0.7 * args.episodes))
        observation, _ = env.reset(seed=1 + episode)
        state = state_of(observation)
        while True:
            action = int(rng.integers(env.action_space.n)) if rng.random() < epsilon else int(np.argmax(q[state]))
            observation, reward, terminated, truncated, info = env.step(action)
            following = state_of(observation)
            target = reward + (0.0 if terminated else 0.99 * np.max(q[following]))
            q[state, action] += 0.1 * (target - q[state, action])
            state = following
            if terminated or truncated:
                break
        if (episode + 1) % 10 == 0:
            print(f"episode {episode + 1}: epsilon {epsilon:.2f}, profit ${info['profit']:,.0f}")
    days = range(1001, 1001 + args.evaluation_days)
    greedy = [play(env, d, lambda o: int(np.argmax(q[state_of(o)]))) for d in days]
    random = [play(env, d, lambda o: int(rng.integers(env.action_space.n))) for d in days]
    print(f"evaluation on {len(greedy)} unseen days: learned policy mean ${np.mean(greedy):,.0f} "
          f"(median ${np.median(greedy):,.0f}), random actions ${np.mean(random):,.0f}, holding nothing $0")
    print(f"{time.time() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
