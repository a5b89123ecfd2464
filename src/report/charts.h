#pragma once
// The report's seven kinds of chart, each built from the inputs as data and a
// gnuplot script (report/chart.h); a section without inputs for it says which
// input would give it.
//  1. per device profile: execution time per layer (bars) and cumulative energy (line), the study's chart;
//  2. cut-tensor size per cut at fp32 and uint8 against the raw input (and its JPEG), from plans;
//  3. latency and device energy per cut, stacked by device, transfer and server, per link, from plans;
//  4. the decision map: best cut against uplink bandwidth per objective, from plans with a bandwidth sweep;
//  5. Edge TPU parameter cache per head: cached and streamed MiB, from Edge TPU plans;
//  6. predicted against measured latency of live runs, per request and per cut, from run JSONs;
//  7. top-1 accuracy against bytes sent per cut and codec, JPEG baseline as a line, from accuracy JSONs.
#include "report/chart.h"
#include "report/report_inputs.h"

namespace splitpoint {

ChartSection profile_charts(const ReportInputs& inputs);
ChartSection cut_size_charts(const ReportInputs& inputs);
ChartSection cut_cost_charts(const ReportInputs& inputs);
ChartSection decision_map_charts(const ReportInputs& inputs);
ChartSection edgetpu_cache_charts(const ReportInputs& inputs);
ChartSection live_run_charts(const ReportInputs& inputs);
ChartSection rate_accuracy_charts(const ReportInputs& inputs);

}  // namespace splitpoint
