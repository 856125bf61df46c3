"""Handwritten digits classified by a diode-resistor circuit, verified sample by sample in ngspice.

scikit-learn's bundled 8x8 digits (nothing downloads): a stratified split, a 64-32-10
circuit whose resistor values are trained through the surrogate, the whole test split
simulated in ngspice, then the circuit as built: 20 boards with 1 % resistors and three
temperatures. The scikit-learn estimator does the same in one line (shown at the end).

Writes OUT/fit/ (model.json, circuit.cir, report.json, confusion.png, misclassified.png,
curves.png, bom.csv) and OUT/compare/ (compare.json, report.html and its figures).

    python examples/digits.py --out out/digits
"""

import argparse
from pathlib import Path

from circuitnet import CircuitClassifier
from circuitnet.analysis.classifier_compare import compare_classifier
from circuitnet.interface.classifier_outputs import write_classifier_outputs
from circuitnet.interface.report import compare_summary, write_report
from circuitnet.training.classes import load_dataset, stratified_split
from circuitnet.training.config import FitConfig
from circuitnet.training.run import FitRun

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--topology", default="diode", help="passive, diode or precision")
parser.add_argument("--boards", type=int, default=20, help="Monte Carlo boards at 1 %% resistors")
parser.add_argument("--out", default="out/digits", help="output folder")
args = parser.parse_args()

digits = load_dataset("digits")
split = stratified_split(digits, seed=0)  # 1,079 training, 359 validation, 359 test images
config = FitConfig(topology=args.topology, hidden=[32], mode="surrogate", task="classify",
                   classes=[int(c) for c in digits.classes])
result = FitRun(split, config).run()
write_classifier_outputs(Path(args.out) / "fit", result, split, digits.image_shape, command="examples/digits.py")
report = result.report
print(f"{args.topology} circuit: test accuracy {100 * report['test_accuracy_spice']:.2f} % in ngspice "
      f"({report['test_samples']} samples), {report['class_changes_surrogate_vs_spice']} change class between the "
      f"surrogate and ngspice; {report['seconds']:.1f} s")

numbers, curves = compare_classifier(result.circuit, split.x_test, split.y_test[:, 0], temperatures=(0, 27, 70),
                                     montecarlo=args.boards, tolerance=0.01)
write_report(Path(args.out) / "compare", numbers, curves, f"digits, {args.topology} circuit")
print("\n".join(compare_summary(numbers, "the circuit as built:")[1:]))

# The same training as a scikit-learn estimator (here on the training and validation images,
# scored on the test images; predict simulates the circuit in ngspice):
model = CircuitClassifier(topology=args.topology, hidden=32).fit(split.x_train, split.y_train[:, 0])
print(f"CircuitClassifier: test accuracy {100 * model.score(split.x_test, split.y_test[:, 0]):.2f} % in ngspice")
print(f"wrote {args.out}/fit and {args.out}/compare")
