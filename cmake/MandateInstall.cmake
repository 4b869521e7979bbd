include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS mandate EXPORT mandateTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/mandate DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT mandateTargets NAMESPACE mandate:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mandate)
configure_package_config_file(cmake/mandateConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/mandateConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mandate)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/mandateConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/mandateConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/mandateConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mandate)
if(TARGET mandate_cli)
  install(TARGETS mandate_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
