#include "market/venue.h"

namespace liqsim {

Execution check_request(const ExecutionRequest& request) {
  Execution out;
  if (request.quantity.raw() <= 0)
    out.reject = RejectReason::InvalidQuantity;
  else if (request.worst.raw() <= 0)
    out.reject = RejectReason::InvalidPrice;
  return out;
}

Execution OrderBookVenue::execute(const ExecutionRequest& request) {
  Execution out = check_request(request);
  if (!out.accepted()) return out;
  const Price tick = book_.tick_size();
  Price limit = request.side == Side::Buy ? round_down_to_tick(request.worst, tick)
                                          : round_up_to_tick(request.worst, tick);
  if (limit.raw() <= 0) {
    // A buy whose worst price is below one tick cannot fill anywhere on the grid.
    out.reject = RejectReason::InvalidPrice;
    return out;
  }
  const SubmitResult r =
      book_.submit(OrderRequest{request.owner, request.side, OrderType::ImmediateOrCancel, limit,
                                request.quantity, request.reduce_only, request.tag});
  out.reject = r.reject;
  out.filled = r.filled;
  out.fills = r.fills;
  return out;
}

}  // namespace liqsim
