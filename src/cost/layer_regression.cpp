#include "cost/layer_regression.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace splitpoint {
namespace {

// Solves the weighted least-squares problem restricted to the inputs in
// `subset` (a bit mask) by the normal equations on scaled columns. Returns
// false if the system is singular.
bool solve_subset(const std::vector<std::vector<double>>& x, const std::vector<double>& t, unsigned subset,
                  size_t inputs, std::vector<double>& coefficients) {
  std::vector<size_t> columns;
  for (size_t j = 0; j < inputs; ++j) {
    if (subset & (1u << j)) columns.push_back(j);
  }
  size_t m = columns.size();
  // Row i is weighted by 1 / t_i: minimizes sum ((x_i c - t_i) / t_i)^2.
  std::vector<double> scale(m, 0.0);
  for (size_t a = 0; a < m; ++a) {
    for (size_t i = 0; i < x.size(); ++i) scale[a] = std::max(scale[a], std::abs(x[i][columns[a]] / t[i]));
    if (scale[a] == 0) return false;
  }
  std::vector<std::vector<double>> normal(m, std::vector<double>(m + 1, 0.0));
  for (size_t i = 0; i < x.size(); ++i) {
    for (size_t a = 0; a < m; ++a) {
      double xa = x[i][columns[a]] / t[i] / scale[a];
      for (size_t b = 0; b < m; ++b) normal[a][b] += xa * (x[i][columns[b]] / t[i] / scale[b]);
      normal[a][m] += xa * 1.0;  // target t_i / t_i
    }
  }
  // Gaussian elimination with partial pivoting.
  for (size_t col = 0; col < m; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < m; ++r) {
      if (std::abs(normal[r][col]) > std::abs(normal[pivot][col])) pivot = r;
    }
    if (std::abs(normal[pivot][col]) < 1e-12) return false;
    std::swap(normal[col], normal[pivot]);
    for (size_t r = 0; r < m; ++r) {
      if (r == col) continue;
      double factor = normal[r][col] / normal[col][col];
      for (size_t c = col; c <= m; ++c) normal[r][c] -= factor * normal[col][c];
    }
  }
  coefficients.assign(inputs, 0.0);
  for (size_t a = 0; a < m; ++a) coefficients[columns[a]] = normal[a][m] / normal[a][a] / scale[a];
  return true;
}

double predict_with(const std::vector<double>& coefficients, const std::vector<double>& inputs) {
  double sum = 0;
  for (size_t j = 0; j < inputs.size() && j < coefficients.size(); ++j) sum += coefficients[j] * inputs[j];
  return sum;
}

double relative_error_sum(const std::vector<std::vector<double>>& x, const std::vector<double>& t,
                          const std::vector<double>& coefficients) {
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double r = (predict_with(coefficients, x[i]) - t[i]) / t[i];
    sum += r * r;
  }
  return sum;
}

// Non-negative least squares by trying every subset of inputs (a type has at
// most 3): the best unconstrained solution on a subset whose coefficients are
// all non-negative. Subsets larger than the sample count are skipped.
std::vector<double> fit_non_negative(const std::vector<std::vector<double>>& x, const std::vector<double>& t) {
  size_t inputs = x.front().size();
  std::vector<double> best;
  double best_residual = INFINITY;
  for (unsigned subset = 1; subset < (1u << inputs); ++subset) {
    if (static_cast<size_t>(__builtin_popcount(subset)) > x.size()) continue;
    std::vector<double> c;
    if (!solve_subset(x, t, subset, inputs, c)) continue;
    if (std::any_of(c.begin(), c.end(), [](double v) { return v < 0; })) continue;
    double residual = relative_error_sum(x, t, c);
    if (residual < best_residual - 1e-12) {
      best_residual = residual;
      best = c;
    }
  }
  if (best.empty()) best.assign(inputs, 0.0);
  return best;
}

double mean_relative_error(const std::vector<std::vector<double>>& x, const std::vector<double>& t,
                           const std::vector<double>& coefficients) {
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) sum += std::abs(predict_with(coefficients, x[i]) - t[i]) / t[i];
  return sum / static_cast<double>(x.size());
}

}  // namespace

LayerTimeRegression LayerTimeRegression::fit(const std::vector<LayerSample>& samples) {
  LayerTimeRegression regression;
  std::map<LayerType, std::pair<std::vector<std::vector<double>>, std::vector<double>>> by_type;
  double mac_ms = 0, macs = 0, element_ms = 0, elements = 0;
  for (const LayerSample& s : samples) {
    if (!(s.time_ms > 0) || !std::isfinite(s.time_ms)) continue;
    auto& [x, t] = by_type[s.features.type];
    x.push_back(regression_inputs(s.features));
    t.push_back(s.time_ms);
    if (s.features.macs > 0) {
      mac_ms += s.time_ms;
      macs += s.features.macs;
    } else {
      element_ms += s.time_ms;
      elements += s.features.output_elements;
    }
  }
  regression.ms_per_mac_ = macs > 0 ? mac_ms / macs : 0;
  regression.ms_per_element_ = elements > 0 ? element_ms / elements : 0;
  for (auto& [type, data] : by_type) {
    auto& [x, t] = data;
    TypeFit fit;
    fit.type = type;
    fit.input_names = regression_input_names(type);
    fit.samples = static_cast<int>(x.size());
    fit.coefficients = fit_non_negative(x, t);
    fit.mean_relative_error = mean_relative_error(x, t, fit.coefficients);
    if (x.size() >= 3) {
      double sum = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        std::vector<std::vector<double>> x_rest;
        std::vector<double> t_rest;
        for (size_t j = 0; j < x.size(); ++j) {
          if (j == i) continue;
          x_rest.push_back(x[j]);
          t_rest.push_back(t[j]);
        }
        std::vector<double> c = fit_non_negative(x_rest, t_rest);
        sum += std::abs(predict_with(c, x[i]) - t[i]) / t[i];
      }
      fit.leave_one_out_relative_error = sum / static_cast<double>(x.size());
    }
    regression.fits_.push_back(std::move(fit));
  }
  return regression;
}

const TypeFit* LayerTimeRegression::fit_for(LayerType type) const {
  for (const TypeFit& f : fits_) {
    if (f.type == type) return &f;
  }
  return nullptr;
}

std::optional<TimePrediction> LayerTimeRegression::predict(const LayerFeatures& features) const {
  if (const TypeFit* fit = fit_for(features.type)) {
    return TimePrediction{predict_with(fit->coefficients, regression_inputs(features)), true};
  }
  if (features.macs > 0 && ms_per_mac_ > 0) return TimePrediction{features.macs * ms_per_mac_, false};
  if (ms_per_element_ > 0) return TimePrediction{features.output_elements * ms_per_element_, false};
  if (ms_per_mac_ > 0) return TimePrediction{0.0, false};
  return std::nullopt;
}

}  // namespace splitpoint
