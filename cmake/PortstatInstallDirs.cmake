# SPDX-License-Identifier: MIT
# PortstatInstallDirs: where `cmake --install` puts the files that are not
# binaries or man pages: shell completions and systemd units.  Each is a
# cache variable a packager can set (absolute, or relative to the prefix);
# left empty, it is worked out here on every configure, so a changed
# CMAKE_INSTALL_PREFIX never leaves a stale directory behind.
#
# A directory a .pc file names is used only when that .pc file's prefix is
# ours (a distribution build with --prefix /usr): its paths are made for
# that prefix, and an absolute path such as Debian 12's /lib/systemd/system
# would escape a /usr/local or a home-directory install.  Otherwise each
# directory is the one its program searches under any prefix:
#   bash   DATADIR/bash-completion/completions  (XDG_DATA_DIRS)
#   zsh    DATADIR/zsh/site-functions           (/usr/local/share/... is in
#                                                 Debian's default fpath)
#   fish   DATADIR/fish/vendor_completions.d
#   units  PREFIX/lib/systemd/system             (systemd reads
#                                                 /usr/local/lib/systemd/system)

set(PORTSTAT_BASH_COMPLETION_DIR "" CACHE STRING
    "bash completion directory (empty: bash-completion.pc's for prefix /usr, else DATADIR/bash-completion/completions)")
set(PORTSTAT_ZSH_COMPLETION_DIR "" CACHE STRING
    "zsh completion directory (empty: DATADIR/zsh/site-functions)")
set(PORTSTAT_FISH_COMPLETION_DIR "" CACHE STRING
    "fish completion directory (empty: DATADIR/fish/vendor_completions.d)")
set(PORTSTAT_SYSTEMD_UNIT_DIR "" CACHE STRING
    "systemd system unit directory (empty: systemd.pc's for prefix /usr, else PREFIX/lib/systemd/system)")

# portstat_pc_dir(OUT MODULE VARIABLE): MODULE's VARIABLE when the module's
# own prefix is CMAKE_INSTALL_PREFIX, relative to it where it lies under it;
# empty otherwise.
function(portstat_pc_dir out module variable)
  set(${out} "" PARENT_SCOPE)
  pkg_get_variable(pc_prefix ${module} prefix)
  pkg_get_variable(pc_dir ${module} ${variable})
  if(NOT pc_dir OR NOT pc_prefix STREQUAL CMAKE_INSTALL_PREFIX)
    return()
  endif()
  string(FIND "${pc_dir}" "${pc_prefix}/" at)
  if(at EQUAL 0)
    string(LENGTH "${pc_prefix}/" len)
    string(SUBSTRING "${pc_dir}" ${len} -1 pc_dir)
  endif()
  set(${out} "${pc_dir}" PARENT_SCOPE)
endfunction()

if(NOT PORTSTAT_BASH_COMPLETION_DIR)
  portstat_pc_dir(dir bash-completion completionsdir)
  if(NOT dir)
    set(dir ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
  endif()
  set(PORTSTAT_BASH_COMPLETION_DIR ${dir})
endif()
if(NOT PORTSTAT_ZSH_COMPLETION_DIR)
  set(PORTSTAT_ZSH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
endif()
if(NOT PORTSTAT_FISH_COMPLETION_DIR)
  set(PORTSTAT_FISH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
endif()
if(NOT PORTSTAT_SYSTEMD_UNIT_DIR)
  portstat_pc_dir(dir systemd systemdsystemunitdir)
  if(NOT dir)
    set(dir lib/systemd/system)
  endif()
  set(PORTSTAT_SYSTEMD_UNIT_DIR ${dir})
endif()
