#include "proto/convert/dataset_convert.h"

namespace hpsearch::convert {

vocabulary::DatasetOptions FromProto(const hpsearch::v1::DatasetSpec& d) {
  vocabulary::DatasetOptions o;
  o.name = d.name();
  if (d.has_validation()) o.validation = d.validation();
  if (d.has_test()) o.test = d.test();
  if (d.has_noise()) o.noise = d.noise();
  o.path = d.path();
  o.target = d.target();
  o.task = d.task();
  o.samples = d.samples();
  o.classes = d.classes();
  o.features = d.features();
  o.seed = d.seed();
  return o;
}

hpsearch::v1::DatasetSpec ToProto(const vocabulary::DatasetOptions& o) {
  const vocabulary::DatasetOptions defaults;
  hpsearch::v1::DatasetSpec d;
  d.set_name(o.name);
  if (o.validation != defaults.validation) d.set_validation(o.validation);
  if (o.test != defaults.test) d.set_test(o.test);
  if (o.noise != defaults.noise) d.set_noise(o.noise);
  d.set_path(o.path);
  d.set_target(o.target);
  d.set_task(o.task);
  d.set_samples(o.samples);
  d.set_classes(o.classes);
  d.set_features(o.features);
  d.set_seed(o.seed);
  return d;
}

}  // namespace hpsearch::convert
