// The agent populations of a run: one line each in a compile-time list, built in list order (which is
// also the order of their accounts: noise traders, market makers, keepers, leveraged traders, liquidity
// providers, value traders, arbitrageurs, hunters). The
// contract suite (tests/agents/population_contract_test.cpp) runs against every population.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "agents/population.h"
#include "experiments/scenario.h"

namespace liqsim {

// What a population is built from: its scenario keys and the kernel parts it opens accounts in.
struct PopulationBuildContext {
  const Scenario& scenario;
  ClearingHouse& clearing;
  std::span<const VenueInfo> venues;  // perpetual books (venue = market), then the spot venues
};

struct PopulationEntry {
  std::string_view name;  // the scenario table that configures it
  std::string_view description;
  // Opens the members' accounts (consecutively) and builds the population.
  std::unique_ptr<Population> (*build)(const PopulationBuildContext&);
};

std::span<const PopulationEntry> populations();

}  // namespace liqsim
