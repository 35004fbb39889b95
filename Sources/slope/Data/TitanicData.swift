// The Kaggle Titanic training table (`titanic.csv` beside this file, 891 rows), embedded in `slope`
// by SwiftPM (`.embedInCode`) so the lesson tour trains on real data with nothing else installed.
// Origin and license: Sources/slope/Data/TITANIC.md.

/// The Titanic passengers table the tour trains on: `titanic.csv`, byte for byte.
let titanicTrainingCSV = String(decoding: PackageResources.titanic_csv, as: UTF8.self)
