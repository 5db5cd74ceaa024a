import CNcurses
import LogtopCore
