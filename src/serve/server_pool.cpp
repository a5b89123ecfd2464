#include "serve/server_pool.h"

#include <fmt/core.h>

#include <algorithm>

namespace splitpoint {

ServerPool::ServerPool(std::vector<OipClient*> clients, double retry_after_s) : retry_after_s_(retry_after_s) {
  for (OipClient* c : clients) {
    if (c) members_.push_back({c, {}});
  }
}

OipClient* ServerPool::choose() {
  const Clock::time_point now = Clock::now();
  for (size_t i = 0; i < members_.size(); ++i) {
    Member& m = members_[i];
    if (now < m.retry_at) continue;
    if (static_cast<int>(i) == current_ || members_.size() == 1 || m.client->ready()) {
      current_ = static_cast<int>(i);
      return m.client;
    }
    m.retry_at = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(retry_after_s_));
    last_failure_ = fmt::format("{}: not ready (GET /v2/health/ready)", m.client->url());
  }
  current_ = -1;
  return nullptr;
}

OipClient* ServerPool::current() const {
  return current_ >= 0 ? members_[static_cast<size_t>(current_)].client : nullptr;
}

void ServerPool::failed(OipClient* client, const std::string& reason) {
  last_failure_ = reason;
  for (size_t i = 0; i < members_.size(); ++i) {
    if (members_[i].client != client) continue;
    members_[i].retry_at =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(retry_after_s_));
    if (current_ == static_cast<int>(i)) current_ = -1;
  }
}

bool ServerPool::usable() const {
  const Clock::time_point now = Clock::now();
  return std::any_of(members_.begin(), members_.end(), [&](const Member& m) { return now >= m.retry_at; });
}

double ServerPool::retry_in_s() const {
  if (members_.empty()) return 0;
  Clock::time_point first = members_.front().retry_at;
  for (const Member& m : members_) first = std::min(first, m.retry_at);
  return std::max(0.0, std::chrono::duration<double>(first - Clock::now()).count());
}

}  // namespace splitpoint
