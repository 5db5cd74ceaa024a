import LogtopCore
print("logtop \(Logtop.version)")
